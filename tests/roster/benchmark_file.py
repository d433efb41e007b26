#!/usr/bin/env python3
"""Helpers of scripts/benchmark-roster.

    benchmark_file.py write FILE.xlsx [ROWS] [--writer xlsxwriter|openpyxl]
        writes a reader data file (讀者資料檔) with ROWS valid data rows (default 50,000) below a title row
    benchmark_file.py read FILE.xlsx
        iterates every cell with openpyxl in read-only mode and prints the seconds it took
    benchmark_file.py calamine FILE.xlsx
        reads every sheet with python-calamine (Rust) into Python rows and prints the seconds it took
"""
import datetime as dt
import random
import sys
import time

HEADERS = ["序號", "身分證字號", "姓名", "性別", "出生日期", "身分別", "電子信箱", "行動電話", "班級/單位", "備註"]
LETTER_CODES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33]))
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = "怡君雅婷志明家豪淑芬俊傑美玲冠宇欣怡宗翰佳穎承恩"


def make_id(letter, second, middle):
    code = LETTER_CODES[letter]
    total = code // 10 + (code % 10) * 9 + int(second) * 8
    for digit, weight in zip(middle, [7, 6, 5, 4, 3, 2, 1]):
        total += int(digit) * weight
    return f"{letter}{second}{middle}{(10 - total % 10) % 10}"


def rows(count):
    rng = random.Random(20250601)
    for index in range(count):
        student = index % 10 != 0
        born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(3650)) if student else dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(12000))
        yield [
            index + 1,
            make_id("ABCDEFGHJKLMNPQRSTUVXYWZIO"[index % 26], str(1 + index % 2), f"{index:07d}"),
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "男" if index % 2 == 0 else "女",
            born,
            "學生" if student else "教職員",
            f"reader{index}@school{index % 50}.edu.tw",
            900_000_000 + rng.randrange(100_000_000),  # a number cell, leading 0 lost as in real files
            f"{1 + index % 6}年{'甲乙丙丁'[index % 4]}班" if student else "教務處",
            "" if index % 7 else "轉入",
        ]


def write(path, count, writer):
    if writer == "openpyxl":
        from openpyxl import Workbook
        wb = Workbook(write_only=True)
        sheet = wb.create_sheet("讀者資料")
        sheet.append(["讀者資料檔（效能測試）"])
        sheet.append(HEADERS)
        for row in rows(count):
            sheet.append(row)
        wb.save(path)
    else:
        import xlsxwriter
        wb = xlsxwriter.Workbook(path)  # shared strings, as Excel writes them
        sheet = wb.add_worksheet("讀者資料")
        date_format = wb.add_format({"num_format": "yyyy/mm/dd"})
        sheet.write(0, 0, "讀者資料檔（效能測試）")
        sheet.write_row(1, 0, HEADERS)
        for number, row in enumerate(rows(count), start=2):
            for column, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(number, column, dt.datetime(value.year, value.month, value.day), date_format)
                elif value != "":
                    sheet.write(number, column, value)
        wb.close()


def read(path):
    from openpyxl import load_workbook
    start = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    cells = 0
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f}")
    print(f"openpyxl read-only: {cells} cells in {elapsed:.3f} s", file=sys.stderr)


def read_calamine(path):
    from python_calamine import CalamineWorkbook
    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python():
            cells += len(row)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f}")
    print(f"python-calamine: {cells} cells in {elapsed:.3f} s", file=sys.stderr)


def main(argv):
    if len(argv) >= 3 and argv[1] == "write":
        count = int(argv[3]) if len(argv) >= 4 and not argv[3].startswith("--") else 50_000
        writer = argv[argv.index("--writer") + 1] if "--writer" in argv else "xlsxwriter"
        write(argv[2], count, writer)
    elif len(argv) == 3 and argv[1] == "read":
        read(argv[2])
    elif len(argv) == 3 and argv[1] == "calamine":
        read_calamine(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
