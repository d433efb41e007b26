#!/usr/bin/env python3
"""Files for the group application tests (集體辦證), written by the programs schools actually use.

    make_group_files.py roster WRITER SPEC.json OUT     a reader data file; WRITER is openpyxl (xlsx),
                                                        xlsxwriter (xlsx), odfpy (ods) or csv (UTF-8 with BOM)
    make_group_files.py document KIND OUT               a scanned form: pdf, png or jpeg (Pillow)
    make_group_files.py read-xlsx FILE                  prints every sheet's cells (openpyxl) as JSON

SPEC.json: {"title": "optional title row", "headers": [...] (default: the template's ten headers),
            "rows": [[cell, ...], ...]}; a cell "date:2011-05-03" is written as a real date cell.
Exits 3 when a module is missing (pip install openpyxl xlsxwriter odfpy pillow).
"""
import csv
import datetime as dt
import json
import sys

HEADERS = ["序號", "身分證字號", "姓名", "性別", "出生日期", "身分別", "電子信箱", "行動電話", "班級/單位", "備註"]


def cell(value):
    if isinstance(value, str) and value.startswith("date:"):
        return dt.datetime.strptime(value[5:], "%Y-%m-%d")
    return value


def roster(writer, spec_path, out):
    spec = json.load(open(spec_path, encoding="utf-8"))
    headers = spec.get("headers") or HEADERS
    title = spec.get("title")
    rows = [[cell(v) for v in row] for row in spec["rows"]]
    if writer == "openpyxl":
        from openpyxl import Workbook
        wb = Workbook()
        ws = wb.active
        ws.title = "讀者資料"
        if title:
            ws.append([title])
        ws.append(headers)
        for row in rows:
            ws.append(row)
            for c in ws[ws.max_row]:
                if isinstance(c.value, dt.datetime):
                    c.number_format = "yyyy/mm/dd"
        wb.save(out)
    elif writer == "xlsxwriter":
        import xlsxwriter
        wb = xlsxwriter.Workbook(out)
        ws = wb.add_worksheet("讀者資料")
        date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
        r = 0
        if title:
            ws.write(r, 0, title)
            r += 1
        ws.write_row(r, 0, headers)
        for row in rows:
            r += 1
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, date_format)
                elif value not in ("", None):
                    ws.write(r, c, value)
        wb.close()
    elif writer == "odfpy":
        from odf.opendocument import OpenDocumentSpreadsheet
        from odf.table import Table, TableRow, TableCell
        from odf.text import P
        doc = OpenDocumentSpreadsheet()
        table = Table(name="讀者資料")

        def add(values):
            tr = TableRow()
            for value in values:
                if isinstance(value, dt.datetime):
                    tc = TableCell(valuetype="date", datevalue=value.strftime("%Y-%m-%d"))
                    tc.addElement(P(text=value.strftime("%Y-%m-%d")))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    tc = TableCell(valuetype="float", value=value)
                    tc.addElement(P(text=str(value)))
                else:
                    tc = TableCell(valuetype="string")
                    if value not in ("", None):
                        tc.addElement(P(text=str(value)))
                tr.addElement(tc)
            table.addElement(tr)

        if title:
            add([title])
        add(headers)
        for row in rows:
            add(row)
        doc.spreadsheet.addElement(table)
        doc.save(out)
    elif writer == "csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            if title:
                w.writerow([title])
            w.writerow(headers)
            for row in rows:
                w.writerow([v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else v for v in row])
    else:
        sys.exit(f"unknown writer {writer}")


def document(kind, out):
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 580, 837], outline="black", width=3)
    draw.text((80, 80), "Application form / consent statement", fill="black")
    draw.ellipse([420, 700, 540, 820], outline="red", width=6)  # the seal
    if kind == "pdf":
        image.save(out, "PDF", resolution=72)
    elif kind == "png":
        image.save(out, "PNG")
    elif kind == "jpeg":
        image.save(out, "JPEG", quality=85)
    else:
        sys.exit(f"unknown document kind {kind}")


def read_xlsx(path):
    from openpyxl import load_workbook
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
                    cells[c.coordinate] = {"v": c.value if isinstance(c.value, (int, float, str)) else str(c.value), "fill": fill}
        out[ws.title] = cells
    print(json.dumps(out, ensure_ascii=False))


def main():
    try:
        if sys.argv[1] == "roster":
            roster(sys.argv[2], sys.argv[3], sys.argv[4])
        elif sys.argv[1] == "document":
            document(sys.argv[2], sys.argv[3])
        elif sys.argv[1] == "read-xlsx":
            read_xlsx(sys.argv[2])
        else:
            sys.exit(__doc__)
    except ImportError as error:
        print(f"missing module: {error} (pip install openpyxl xlsxwriter odfpy pillow)", file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
