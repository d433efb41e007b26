#!/usr/bin/env python3
"""Writes the reader data file (讀者資料檔) fixtures of Tests/ReaderDataFileTests/Fixtures.

The fixtures are files written by other programs (openpyxl, xlsxwriter, odfpy, xlwt, msoffcrypto-tool,
Python's csv and zipfile), generated once and committed; the Swift tests assert exact rows, columns
and codes in them, so change this script and ReaderDataFileTests together.

    pip install openpyxl xlsxwriter odfpy xlwt msoffcrypto-tool
    python3 tests/roster/make_fixtures.py            # writes into Tests/ReaderDataFileTests/Fixtures
"""
import csv
import datetime as dt
import io
import os
import struct
import sys
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "ReaderDataFileTests", "Fixtures")

HEADERS = ["序號", "身分證字號", "姓名", "性別", "出生日期", "身分別", "電子信箱", "行動電話", "班級/單位", "備註"]
LETTER_CODES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33]))


def make_id(letter, second, middle):
    """A valid Taiwan number from its letter, second character and seven middle digits (DOMAIN.md checksum)."""
    code = LETTER_CODES[letter]
    second_value = {"A": 0, "B": 1, "C": 2, "D": 3}.get(second)
    if second_value is None:
        second_value = int(second)
    total = code // 10 + (code % 10) * 9 + second_value * 8
    for digit, weight in zip(middle, [7, 6, 5, 4, 3, 2, 1]):
        total += int(digit) * weight
    return f"{letter}{second}{middle}{(10 - total % 10) % 10}"


def full_width(text):
    """ＡＢＣ１２３: what some input methods type."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def path(name):
    return os.path.join(OUT, name)


# ---------------------------------------------------------------- openpyxl: the template, filled in

def template_openpyxl():
    from openpyxl import Workbook
    wb = Workbook()
    info = wb.active
    info.title = "填寫說明"
    info["A1"] = "讀者資料檔填寫說明"
    info["A2"] = "欄位：序號、身分證字號、姓名、性別、出生日期、身分別、電子信箱、行動電話、班級/單位、備註"
    for index, header in enumerate(HEADERS, start=3):  # the column names listed down column A
        info.cell(row=index, column=1, value=header)
        info.cell(row=index, column=2, value="必填" if header in ("身分證字號", "姓名", "出生日期", "身分別", "電子信箱") else "選填")
    data = wb.create_sheet("讀者資料")
    data["A1"] = "臺中市○○國民小學 數位借閱證集體申請 讀者資料檔"
    data.merge_cells("A1:J1")
    for column, header in enumerate(HEADERS, start=1):
        data.cell(row=3, column=column, value=header)
    rows = {
        4: [1, "A123456789", "王小明", "男", dt.date(2011, 5, 3), "學生", "ming@example.edu.tw", 912345678, "五年甲班", None],
        5: [2, "F234567898", "林美玲", "女", "099/05/03", "教職員", "LIN@Example.EDU.TW", "0912-345-678", "教務處", "導師"],
        7: [3, make_id("B", "1", "2345678"), " 陳大文 ", None, "99.5.3", "學生", "chen@example.com", "+886 912 345 679", None, None],
        8: [4, make_id("C", "2", "0000001"), "李小華", "F", "2011/5/3", "學生", "lee@example.com", None, "六年乙班", None],
        9: [5, full_width(make_id("D", "1", "7654321").lower()), "張志明", "其他", "2011-05-03", "學生",
            "ｃｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", " 0987 654 321 ", None, None],
        10: [6, None, None, None, None, None, None, None, None, None],  # pre-numbered template rows
        11: [7, None, None, None, None, None, None, None, None, None],
    }
    for row, values in rows.items():
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = data.cell(row=row, column=column, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy/mm/dd"
    wb.save(path("template-openpyxl.xlsx"))


# ---------------------------------------------------------------- xlsxwriter: every kind of bad row

def bad_rows_xlsxwriter():
    import xlsxwriter
    wb = xlsxwriter.Workbook(path("bad-rows-xlsxwriter.xlsx"))
    sheet = wb.add_worksheet("Sheet1")
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    headers = list(HEADERS)
    headers[1] = "身分證字號*"
    sheet.write_row(0, 0, headers)
    first = make_id("E", "1", "1111111")
    rows = {
        2: [1, first, "甲", "男", dt.date(2012, 1, 15), "學生", "same@example.com", "0911111111", None, None],
        3: [2, "A123456788", "乙", "女", dt.date(2012, 1, 15), "學生", "b@example.com", None, None, None],
        4: [3, "A800000014", "丙", "女", dt.date(2012, 1, 15), "學生", "c@example.com", None, None, None],
        6: [4, make_id("E", "2", "2222222"), None, "女", dt.date(2012, 1, 15), "學生", "d@example.com", None, None, None],
        7: [5, make_id("E", "1", "3333333"), "丁", "男", dt.date(1980, 1, 1), "家長", "e@example.com", None, None, None],
        8: [6, make_id("E", "2", "4444444"), "戊", "女", dt.date(2012, 1, 15), "學生", "not-an-email", None, None, None],
        9: [7, make_id("E", "1", "5555555"), "己", "男", "099/02/30", "學生", "f@example.com", None, None, None],
        10: [8, make_id("E", "2", "6666666"), "庚", "女", dt.date(2030, 1, 1), "學生", "g@example.com", None, None, None],
        11: [9, make_id("E", "1", "7777777"), "辛", "男", dt.date(2012, 1, 15), "教職員", "h@example.com", "04-2262-5100", None, None],
        12: [10, make_id("E", "2", "8888888"), "壬", "unknown", dt.date(2012, 1, 15), "學生", "i@example.com", None, None, None],
        13: [11, " " + first.lower() + " ", "癸", "男", dt.date(2012, 1, 15), "學生", "j@example.com", None, None, None],
        14: [12, "12345", "子", "男", dt.date(2012, 1, 15), None, None, None, None, None],
        15: [13, "AA00000009", "丑", "男", dt.date(2012, 1, 15), "學生", "k@example.com", None, None, None],
        16: [14, make_id("E", "1", "9999999"), "寅", "男", dt.date(2012, 1, 15), "學生", "same@example.com", None, None, None],
        17: [15, make_id("E", "2", "1212121"), "卯", "女", 40666, "學生", "l@example.com", None, None, None],
        18: [16, make_id("E", "1", "3434343"), "辰", "男", "1899/12/31", "學生", "m@example.com", None, None, None],
    }
    for row, values in rows.items():
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(row - 1, column, dt.datetime(value.year, value.month, value.day), date_format)
            else:
                sheet.write(row - 1, column, value)
    wb.close()


# ---------------------------------------------------------------- openpyxl: English headers, shuffled, 1904 dates

def english_shuffled():
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    sheet = wb.active
    sheet.title = "Readers"
    sheet.append(["Email", "Name", "ID Number", "Role", "Date of Birth", "Mobile Phone", "Sex", "No.", "Class / Unit", "Remarks"])
    sheet.append(["amy@example.org", "Amy Chen", make_id("H", "2", "1357913"), "Staff", dt.date(1980, 2, 29), "0933-111-222", "F", 1, "Library", "part-time"])
    sheet.append(["ben@example.org", "Ben Wu", make_id("K", "1", "2468024"), "student", "2010-12-31", 933111223, "M", 2, "7A", None])
    sheet.append(["cat@example.org", "Cat Lin", make_id("L", "2", "1122334"), "Parent", "2010-12-31", None, None, 3, None, None])
    sheet.append(["dan@example.org", "Dan Ho", make_id("M", "1", "5566778"), "Student", "3/5/2011", None, None, 4, None, None])
    for row in sheet.iter_rows(min_row=2, max_row=2, min_col=5, max_col=5):
        row[0].number_format = "yyyy-mm-dd"
    wb.save(path("english-shuffled.xlsx"))


# ---------------------------------------------------------------- odfpy: repeated rows and cells, date cells, annotations

def roster_ods():
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow, TableCell, TableColumn
    from odf.text import P, S
    from odf.office import Annotation

    doc = OpenDocumentSpreadsheet()

    def text_cell(value, repeat=None):
        cell = TableCell(valuetype="string") if repeat is None else TableCell(valuetype="string", numbercolumnsrepeated=repeat)
        cell.addElement(P(text=value))
        return cell

    def blank_cells(count):
        return TableCell(numbercolumnsrepeated=count)

    def date_cell(iso):
        cell = TableCell(valuetype="date", datevalue=iso)
        cell.addElement(P(text=iso.replace("-", "/")))
        return cell

    def float_cell(number):
        cell = TableCell(valuetype="float", value=str(number))
        cell.addElement(P(text=f"{number:,}"))
        return cell

    def row(cells, repeat=None):
        r = TableRow() if repeat is None else TableRow(numberrowsrepeated=repeat)
        for cell in cells:
            r.addElement(cell)
        return r

    info = Table(name="填寫說明")
    info.addElement(TableColumn(numbercolumnsrepeated=2))
    info.addElement(row([text_cell("請依下列欄位填寫")]))
    info.addElement(row([text_cell(h) for h in HEADERS]))  # a sample header on the instructions sheet: must be ignored
    info.addElement(row([text_cell("1"), text_cell("A123456789"), text_cell("範例")]))
    doc.spreadsheet.addElement(info)

    data = Table(name="讀者資料")
    data.addElement(TableColumn(numbercolumnsrepeated=10))
    data.addElement(row([text_cell("集體辦證讀者資料"), blank_cells(1023)]))                      # row 1
    data.addElement(row([text_cell(h) for h in HEADERS] + [blank_cells(1014)]))                  # row 2
    good = make_id("N", "1", "1020304")
    data.addElement(row([float_cell(1), text_cell(good), text_cell("王大明"), text_cell("男"), date_cell("2011-05-03"),
                         text_cell("學生"), text_cell("wang@example.com"), float_cell(912345678), text_cell("五年甲班"),
                         blank_cells(1015)]))                                                      # row 3
    data.addElement(row([blank_cells(1024)], repeat=5))                                           # rows 4-8
    data.addElement(row([float_cell(2), text_cell("A123456788"), text_cell("錯號碼"), blank_cells(1),
                         date_cell("2011-05-03"), text_cell("學生"), text_cell("x@example.com")]))  # row 9
    twin = make_id("P", "2", "5060708")
    data.addElement(row([float_cell(3), text_cell(twin), text_cell("雙胞"), text_cell("女"), date_cell("2012-02-29"),
                         text_cell("學生"), text_cell("twin@example.com")], repeat=2))            # rows 10-11
    name = TableCell(valuetype="string")
    annotation = Annotation()
    annotation.addElement(P(text="轉學生"))
    name.addElement(annotation)
    paragraph = P(text="陳")
    paragraph.addElement(S(c=2))
    paragraph.addText("小華")
    name.addElement(paragraph)
    data.addElement(row([float_cell(4), text_cell(make_id("Q", "1", "9080706")), name, blank_cells(1),
                         text_cell("民國100年1月2日"), text_cell("教職員"), text_cell("hua@example.com"),
                         text_cell("0912 345 678")]))                                              # row 12
    data.addElement(row([blank_cells(1024)], repeat=1048564))                                     # rows 13-1048576
    doc.spreadsheet.addElement(data)
    doc.save(path("roster.ods"))


# ---------------------------------------------------------------- csv: Big5 (cp950) and UTF-8 with BOM

def big5_csv():
    rows = [
        HEADERS,
        ["1", make_id("R", "1", "1111222"), "王碁銹", "男", "099/05/03", "學生", "a@example.com", "0912-345-678", "三年甲班", ""],
        ["2", make_id("R", "2", "3333444"), "林小美", "女", "99/5/3", "學生", "b@example.com", "", "三年甲班", ""],
        [],
        ["3", make_id("S", "1", "5555666"), "陳一", "男", "99.5.3", "教職員", "c@example.com", "912345678", "總務處", "備註，有逗號"],
        ["4", "A123456788", "張三", "男", "100/13/01", "親友", "d@", "0912", "x", ""],
    ]
    with open(path("big5.csv"), "w", encoding="cp950", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for row in rows:
            writer.writerow(row)


def utf8_bom_csv():
    rows = [
        HEADERS,
        ["1", make_id("T", "2", "1231231"), "Lee, Ann", "女", "2011-05-03", "學生", "ann@example.com", "+886-912-345-678", "五年\n甲班", "多行\n備註"],
        ["2", make_id("U", "1", "4564564"), "Bob", "男", "2011-05-03 00:00:00", "學生", "bob@example.com", "", "", 'say "hi"'],
        ["3", "A123456788", "Cy", "男", "2011-05-03", "學生", "cy@example.com", "", "", ""],
    ]
    with open(path("utf8-bom.csv"), "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


# ---------------------------------------------------------------- xlsxwriter: more rows than a small limit; a missing column

def many_rows():
    import xlsxwriter
    wb = xlsxwriter.Workbook(path("thirty-rows.xlsx"))
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for index in range(30):
        sheet.write_row(index + 1, 0, [index + 1, make_id("V", "1", f"{index:07d}"), f"讀者{index}", "男", "2010/1/1", "學生",
                                       f"r{index}@example.com"])
    wb.close()


def missing_header():
    import xlsxwriter
    wb = xlsxwriter.Workbook(path("missing-email-column.xlsx"))
    notes = wb.add_worksheet("說明")
    notes.write(0, 0, "請勿修改標題列")
    sheet = wb.add_worksheet("資料")
    sheet.write_row(0, 0, ["序號", "身分證字號", "姓名", "出生日期", "身分別", "行動電話"])
    sheet.write_row(1, 0, [1, "A123456789", "王小明", "2011/5/3", "學生", "0912345678"])
    wb.close()


# ---------------------------------------------------------------- zipfile: hand-written packages

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def handmade_parts(sheet_xml, shared_strings_xml):
    workbook = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{NS_REL}"><x:sheets><x:sheet name="lists" sheetId="2" state="hidden" r:id="rId2"/><x:sheet name="名單 &amp; 資料" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>"""
    rels = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{NS_REL}/worksheet" Target="/xl/worksheets/data.xml"/><Relationship Id="rId2" Type="{NS_REL}/worksheet" Target="worksheets/../worksheets/lists.xml"/><Relationship Id="rId3" Type="{NS_REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="{NS_REL}/styles" Target="styles.xml"/></Relationships>"""
    styles = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="[$-404]e/m/d"/><numFmt numFmtId="165" formatCode="&quot;Tel &quot;0"/></numFmts><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs></styleSheet>"""
    lists = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>身分證字號</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c><c r="C1" t="inlineStr"><is><t>出生日期</t></is></c><c r="D1" t="inlineStr"><is><t>身分別</t></is></c><c r="E1" t="inlineStr"><is><t>電子信箱</t></is></c></row></sheetData></worksheet>"""
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": shared_strings_xml,
        "xl/worksheets/data.xml": sheet_xml,
        "xl/worksheets/lists.xml": lists,
    }


def write_zip(name, parts):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content.encode("utf-8") if isinstance(content, str) else content)


HANDMADE_STRINGS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><x:si><x:t>身分證字號</x:t></x:si><x:si><x:r><x:rPr><x:b/></x:rPr><x:t>姓</x:t></x:r><x:r><x:t xml:space="preserve">名</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ㄒㄧㄥˋ</x:t></x:rPh></x:si><x:si><x:t>Tom &amp; Jerry&#x4E2D;&#20013;_x0041_</x:t></x:si></x:sst>"""


def handmade_sheet(rows_xml):
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- written by hand: prefixes, inline strings, cells without references -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{rows_xml}</x:sheetData></x:worksheet>"""


def handmade_xlsx():
    good = make_id("W", "1", "1000001")
    other = make_id("X", "2", "2000002")
    third = make_id("Y", "1", "3000003")
    # Header (row 2): shared strings 0 and 1 (rich text with phonetic run), inline strings for the rest; cells without r.
    header = ('<x:row r="2"><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c>'
              '<x:c t="inlineStr"><x:is><x:t>出生日期</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>身分別</x:t></x:is></x:c>'
              '<x:c t="inlineStr"><x:is><x:t>電子信箱</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>行動電話</x:t></x:is></x:c></x:row>')
    # Row 3: ROC date format (serial 40666 = 2011-05-03), formula string result, mobile with a "Tel" number format.
    row3 = (f'<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>{good}</x:t></x:is></x:c>'
            '<x:c r="B3" t="s"><x:v>2</x:v></x:c><x:c r="C3" s="1"><x:v>40666</x:v></x:c>'
            '<x:c r="D3" t="str"><x:f>IF(1,"學生","")</x:f><x:v>學生</x:v></x:c>'
            '<x:c r="E3" t="inlineStr"><x:is><x:r><x:t>tom</x:t></x:r><x:r><x:t>@example.com</x:t></x:r></x:is></x:c>'
            '<x:c r="F3" s="2"><x:v>912345678</x:v></x:c></x:row>')
    # Row 5 (row 4 absent): serial 60, Lotus's phantom 1900-02-29, with a date style.
    row5 = (f'<x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t>{other}</x:t></x:is></x:c>'
            '<x:c r="B5" t="inlineStr"><x:is><x:t>假日期</x:t></x:is></x:c><x:c r="C5" s="3"><x:v>60</x:v></x:c>'
            '<x:c r="D5" t="inlineStr"><x:is><x:t>學生</x:t></x:is></x:c>'
            '<x:c r="E5" t="inlineStr"><x:is><x:t>fake@example.com</x:t></x:is></x:c></x:row>')
    # Row 6: styled empty cells only (blank); row 7: cells out of order and a boolean in 行動電話.
    row6 = '<x:row r="6"><x:c r="A6" s="1"/><x:c r="B6" s="1"/></x:row>'
    row7 = (f'<x:row r="7"><x:c r="E7" t="inlineStr"><x:is><x:t>z@example.com</x:t></x:is></x:c>'
            f'<x:c r="A7" t="inlineStr"><x:is><x:t>{third}</x:t></x:is></x:c>'
            '<x:c r="B7" t="inlineStr"><x:is><x:t>順序</x:t></x:is></x:c><x:c r="C7" s="3"><x:v>61.75</x:v></x:c>'
            '<x:c r="D7" t="inlineStr"><x:is><x:t>教職員</x:t></x:is></x:c><x:c r="F7" t="b"><x:v>1</x:v></x:c></x:row>')
    title = '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>名冊</x:t></x:is></x:c></x:row>'
    return handmade_parts(handmade_sheet(title + header + row3 + row5 + row6 + row7), HANDMADE_STRINGS)


def doctype_xlsx():
    parts = handmade_xlsx()
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')
    parts["xl/sharedStrings.xml"] = bomb + HANDMADE_STRINGS.split("\n", 1)[1].replace("Tom", "&lol3;")
    write_zip("doctype.xlsx", parts)


def zip_bombs():
    parts = handmade_xlsx()
    # 24 MiB of spaces inside the sheet: about 24 KB on disk.
    parts["xl/worksheets/data.xml"] = '<?xml version="1.0"?><worksheet><sheetData>' + " " * (24 << 20) + "</sheetData></worksheet>"
    write_zip("zip-bomb.xlsx", parts)
    # The same with the sizes in both headers forged to 1000 bytes: only counting while inflating catches it.
    data = bytearray(open(path("zip-bomb.xlsx"), "rb").read())
    name = b"xl/worksheets/data.xml"
    patched = 0
    for signature, size_offset, name_length_offset, header_length in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            length = struct.unpack_from("<H", data, start + name_length_offset)[0]
            if bytes(data[start + header_length:start + header_length + length]) == name:
                struct.pack_into("<I", data, start + size_offset, 1000)
                patched += 1
            start += 4
    assert patched == 2, patched
    open(path("zip-bomb-lying.xlsx"), "wb").write(bytes(data))


def encrypted_ods():
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="3000">
  <manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA">
   <manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>
   <manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAA"/>
  </manifest:encryption-data>
 </manifest:file-entry>
</manifest:manifest>"""
    with zipfile.ZipFile(path("encrypted.ods"), "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", os.urandom(3000), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


def odt_document():
    with zipfile.ZipFile(path("letter.odt.xlsx"), "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")


def plain_zip():
    with zipfile.ZipFile(path("photos.zip.xlsx"), "w") as archive:
        archive.writestr("readme.txt", "not a workbook")


# ---------------------------------------------------------------- other programs' files

def encrypted_xlsx():
    import msoffcrypto.format.ooxml
    source = io.BytesIO(open(path("thirty-rows.xlsx"), "rb").read())
    with open(path("encrypted.xlsx"), "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("1234", out)


def legacy_xls():
    import xlwt
    wb = xlwt.Workbook()
    sheet = wb.add_sheet("讀者資料")
    for column, header in enumerate(HEADERS):
        sheet.write(0, column, header)
    wb.save(path("legacy.xls.xlsx"))


def not_spreadsheets():
    def png_chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
           + png_chunk(b"IDAT", zlib.compress(b"\x00\x00")) + png_chunk(b"IEND", b""))
    open(path("picture.png.xlsx"), "wb").write(png)
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 62, 1) + bytes(200)
    open(path("program.csv"), "wb").write(elf)
    open(path("empty.csv"), "wb").close()


def main():
    os.makedirs(OUT, exist_ok=True)
    template_openpyxl()
    bad_rows_xlsxwriter()
    english_shuffled()
    roster_ods()
    big5_csv()
    utf8_bom_csv()
    many_rows()
    missing_header()
    write_zip("handmade.xlsx", handmade_xlsx())
    doctype_xlsx()
    zip_bombs()
    encrypted_ods()
    odt_document()
    plain_zip()
    encrypted_xlsx()
    legacy_xls()
    not_spreadsheets()
    for name in sorted(os.listdir(OUT)):
        size = os.path.getsize(path(name))
        print(f"{size:8d}  {name}")
        if size > 60_000:
            sys.exit(f"{name} is larger than a fixture should be")


if __name__ == "__main__":
    main()
