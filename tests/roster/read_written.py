#!/usr/bin/env python3
"""Reads the workbooks OneCard writes (template, returned file, batch summary) with programs nobody here
wrote, openpyxl and odfpy, and prints what they see as JSON; also fills in a template as a person would.
Driven by Tests/ReaderDataFileTests (WrittenFileSupport.swift).

    pip install openpyxl odfpy
    python3 tests/roster/read_written.py xlsx FILE            # sheets, cells, styles, columns, lists
    python3 tests/roster/read_written.py ods FILE             # tables, cells, styles, zip layout
    python3 tests/roster/read_written.py fill-xlsx TEMPLATE OUT ROWS.json
    python3 tests/roster/read_written.py fill-ods TEMPLATE OUT ROWS.json

Exits 3 when openpyxl or odfpy is missing.
"""
import json
import sys
import zipfile


def missing(module):
    print(f"python module {module} is missing: pip install openpyxl odfpy", file=sys.stderr)
    sys.exit(3)


def zip_layout(path):
    """Entry names and whether each is stored or deflated, plus the bytes ODF's magic check reads."""
    with zipfile.ZipFile(path) as archive:
        entries = [{"name": info.filename, "stored": info.compress_type == zipfile.ZIP_STORED,
                    "extra": len(info.extra)} for info in archive.infolist()]
        bad = archive.testzip()
    with open(path, "rb") as handle:
        head = handle.read(100)
    return {"entries": entries, "crc_ok": bad is None, "magic": head[30:38].decode("latin-1"),
            "magic_type": head[38:84].decode("latin-1")}


# ---------------------------------------------------------------- xlsx, with openpyxl

def read_xlsx(path):
    try:
        import openpyxl
    except ImportError:
        missing("openpyxl")
    workbook = openpyxl.load_workbook(path)
    sheets = []
    for sheet in workbook.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                fill = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
                styled = fill is not None or cell.font.b or cell.number_format != "General"
                if cell.value is None and not styled:
                    continue
                cells[cell.coordinate] = {
                    "v": cell.value, "fmt": cell.number_format, "fill": fill, "bold": bool(cell.font.b),
                    "wrap": bool(cell.alignment.wrap_text),
                    "color": cell.font.color.rgb if cell.font.color is not None and cell.font.color.type == "rgb" else None,
                }
        columns = {}
        for letter, dimension in sheet.column_dimensions.items():
            columns[letter] = {"width": dimension.width, "fmt": dimension.number_format}
        validations = [{"type": v.type, "sqref": str(v.sqref), "formula1": v.formula1,
                        "allow_blank": bool(v.allow_blank)} for v in sheet.data_validations.dataValidation]
        sheets.append({
            "name": sheet.title, "state": sheet.sheet_state, "max_row": sheet.max_row,
            "max_column": sheet.max_column, "freeze_panes": sheet.freeze_panes, "cells": cells,
            "columns": columns, "validations": validations,
        })
    return {"sheets": sheets, "active": workbook.active.title, "zip": zip_layout(path)}


def fill_xlsx(template, out, rows):
    try:
        import openpyxl
    except ImportError:
        missing("openpyxl")
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    workbook.save(out)
    return {"sheet": sheet.title, "rows": len(rows)}


# ---------------------------------------------------------------- ods, with odfpy

def cell_text(cell, teletype):
    from odf.text import P
    return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))


def read_ods(path):
    try:
        from odf.opendocument import load
        from odf.table import Table, TableRow, TableCell, TableColumn, CoveredTableCell
        from odf.style import Style, TextProperties, TableCellProperties
        from odf import teletype
    except ImportError:
        missing("odfpy")
    document = load(path)
    styles = {}
    for style in document.styles.getElementsByType(Style):
        entry = {"family": style.getAttribute("family"), "data_style": style.getAttribute("datastylename")}
        for props in style.getElementsByType(TextProperties):
            entry["bold"] = props.getAttribute("fontweight") == "bold"
            entry["color"] = props.getAttribute("color")
        for props in style.getElementsByType(TableCellProperties):
            entry["background"] = props.getAttribute("backgroundcolor")
            entry["wrap"] = props.getAttribute("wrapoption")
        styles[style.getAttribute("name")] = entry
    tables = []
    for table in document.spreadsheet.getElementsByType(Table):
        columns = [{"style": column.getAttribute("stylename"), "default": column.getAttribute("defaultcellstylename")}
                   for column in table.getElementsByType(TableColumn)]
        rows, styled, validations = [], {}, {}
        number = 0
        for row in table.getElementsByType(TableRow):
            repeat = int(row.getAttribute("numberrowsrepeated") or 1)
            values, column = [], 0
            for cell in row.childNodes:
                if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                    continue
                cols = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                text = cell_text(cell, teletype)
                for offset in range(cols):
                    values.append(text)
                    key = f"{number + 1}:{column + offset + 1}"
                    if cell.getAttribute("stylename"):
                        styled[key] = cell.getAttribute("stylename")
                    if cell.getAttribute("contentvalidationname") and number < 3:
                        validations[key] = cell.getAttribute("contentvalidationname")
                column += cols
            while values and values[-1] == "":
                values.pop()
            rows.extend([values] * min(repeat, 1000))  # rows[i] is row i + 1 until a run of over 1000 rows
            number += repeat
        while rows and not rows[-1]:
            rows.pop()
        tables.append({"name": table.getAttribute("name"), "rows": rows, "row_count": number, "columns": columns,
                       "styles": styled, "validations": validations})
    return {"tables": tables, "styles": styles, "zip": zip_layout(path)}


def fill_ods(template, out, rows):
    try:
        from odf.opendocument import load
        from odf.table import Table, TableRow, TableCell
        from odf.text import P
    except ImportError:
        missing("odfpy")
    document = load(template)
    table = document.spreadsheet.getElementsByType(Table)[0]
    table_rows = table.getElementsByType(TableRow)
    after_header = table_rows[1] if len(table_rows) > 1 else None
    for values in rows:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string") if value not in (None, "") else TableCell()
            if value not in (None, ""):
                cell.addElement(P(text=str(value)))
            row.addElement(cell)
        if after_header is not None:
            table.insertBefore(row, after_header)
        else:
            table.addElement(row)
    document.save(out)
    return {"sheet": table.getAttribute("name"), "rows": len(rows)}


def main():
    command = sys.argv[1]
    if command == "xlsx":
        result = read_xlsx(sys.argv[2])
    elif command == "ods":
        result = read_ods(sys.argv[2])
    elif command == "fill-xlsx":
        with open(sys.argv[4], encoding="utf-8") as handle:
            result = fill_xlsx(sys.argv[2], sys.argv[3], json.load(handle))
    elif command == "fill-ods":
        with open(sys.argv[4], encoding="utf-8") as handle:
            result = fill_ods(sys.argv[2], sys.argv[3], json.load(handle))
    else:
        print(f"unknown command {command}", file=sys.stderr)
        sys.exit(2)
    json.dump(result, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
