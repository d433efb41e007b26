"""集體辦證 in a real browser on a 360 x 800 phone screen: the organization's contact person signs in with
the emailed one-time link, uploads a reader data file with errors, reads every error by row and column,
downloads the file back annotated (read with openpyxl: 錯誤說明 column, red cells), then uploads the fixed
file, which is queued as a batch under its letter.

The organization is registered with the CLI (`onecard group register`, approved at once); its sign-in link
is read from the .eml the outbox writes into the data directory, as a contact would read their email.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time
import urllib.parse
from pathlib import Path

from openpyxl import Workbook, load_workbook
from PIL import Image
from selenium.webdriver.common.by import By

from browser_helpers import (
    ARTIFACTS,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    text_of,
    wait_loaded,
    set_date,
)

CONTACT = "group-contact@school.example.edu.tw"
HEADERS = ["序號", "身分證字號", "姓名", "性別", "出生日期", "身分別", "電子信箱", "行動電話", "班級/單位", "備註"]
LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33]))


def national_id(n: int) -> str:
    first = f"C2{n:07d}"
    code = LETTERS[first[0]]
    total = code // 10 + (code % 10) * 9 + sum(int(d) * w for d, w in zip(first[1:], [8, 7, 6, 5, 4, 3, 2, 1]))
    return first + str((10 - total % 10) % 10)


def roster(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "讀者資料"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def student(n: int, **changes) -> list:
    row = {"no": n, "id": national_id(n), "name": f"陳同學{n}", "gender": "女", "born": dt.datetime(2012, 4, 1 + n % 28),
           "role": "學生", "email": f"student{n}@school.example.edu.tw", "mobile": "", "unit": "六年乙班", "note": ""}
    row.update(changes)
    return list(row.values())


def sign_in_link(server, timeout: float = 20.0) -> str:
    """The newest sign-in link in the contact's mail (the outbox worker writes .eml files every few seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((server.data_dir / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if CONTACT not in str(message["To"]):
                continue
            found = re.search(r"https?://\S+/group-application/contact/sign-in\?token=[A-Za-z0-9_-]+", message.get_body(("plain",)).get_content())
            if found:
                return found.group(0)
        time.sleep(0.5)
    raise AssertionError("no sign-in link was emailed to the contact")



def error_rows(driver) -> list[tuple[str, str, str]]:
    return [tuple(td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td"))
            for tr in driver.find_elements(By.CSS_SELECTOR, "table.row-errors tbody tr")]


def test_contact_uploads_a_file_with_errors_downloads_it_annotated_and_uploads_it_fixed(server, driver, tmp_path):
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    form = tmp_path / "application-form.png"
    Image.new("RGB", (400, 560), "white").save(form)
    registered = server.cli("group", "register", "--library", "NLPI", "--name", "臺中市立瀏覽器國民小學", "--kind", "school",
                            "--contact-name", "李老師", "--contact-title", "教務主任", "--contact-phone", "04-2262-5100",
                            "--contact-email", CONTACT, "--letter-number", "中市瀏小字第1150000001號", "--letter-date", today,
                            "--application-form", str(form), "--consent-statement", str(form))
    assert registered.returncode == 0, registered.stderr

    # The contact opens the emailed link: a page with a button (mail scanners must not use the link up).
    driver.get(sign_in_link(server))
    wait_loaded(driver)
    assert text_of(driver, "h1") == "聯絡人登入"
    assert "臺中市立瀏覽器國民小學" in text_of(driver, "main")
    click_and_wait(driver, button(driver, "登入"))
    assert urllib.parse.urlsplit(driver.current_url).path == "/group-application/contact/home"
    assert text_of(driver, "h1") == "集體辦證聯絡人專區"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "group-01-contact-home.png")

    # A whole school year (3,004 rows, so the upload reaches the server in pieces) with two mistakes:
    # a wrong check digit on row 3 and a relative on row 4.
    bad = roster(tmp_path / "讀者資料.xlsx", [
        student(1), student(2, id=national_id(2)[:-1] + str((int(national_id(2)[-1]) + 1) % 10)),
        student(3, role="家長", name="陳家長"), student(4),
    ] + [student(n) for n in range(5, 3005)])
    assert bad.stat().st_size > 100_000
    click_and_wait(driver, link(driver, "上傳讀者資料檔", within=driver.find_element(By.CSS_SELECTOR, "main")))
    assert text_of(driver, "h1") == "上傳讀者資料檔"
    labelled(driver, "本批公文文號").send_keys("中市瀏小字第1150000002號")
    set_date(driver, labelled(driver, "本批發文日期"), today)
    labelled(driver, "讀者資料檔").send_keys(str(bad))
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "group-02-upload-form.png")
    click_and_wait(driver, button(driver, "上傳並檢查"))

    # Returned: every error by row and column, nothing imported, the summary read first by screen readers.
    assert text_of(driver, "h1") == "讀者資料檔已退回"
    assert driver.switch_to.active_element.get_attribute("id") == "error-summary"
    assert "檔案有 2 個錯誤（共 3004 筆資料），已退回重填。" in text_of(driver, "#error-summary")
    errors = error_rows(driver)
    assert [(row, column) for row, column, _ in errors] == [("3", "身分證字號"), ("4", "身分別")], errors
    assert errors[0][2] == "身分證字號檢查碼錯誤"
    assert "不含親友" in errors[1][2]
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "group-03-returned.png")

    # The file back, annotated, as the browser downloads it.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    link(driver, "下載標示錯誤的檔案（xlsx）").click()
    deadline = time.monotonic() + 20
    files: list[Path] = []
    while time.monotonic() < deadline:
        files = [p for p in downloads.iterdir() if p.suffix == ".xlsx"]
        if files:
            break
        time.sleep(0.25)
    assert files, f"no download in {list(downloads.iterdir())}"
    assert files[0].name == "讀者資料檔-錯誤說明.xlsx"
    (ARTIFACTS / "group-annotated-return.xlsx").write_bytes(files[0].read_bytes())
    annotated = load_workbook(files[0])
    sheet = annotated["讀者資料"]
    assert sheet["K1"].value == "錯誤說明"
    assert sheet["K3"].value == "身分證字號檢查碼錯誤"
    assert "不含親友" in sheet["K4"].value
    assert sheet["K2"].value is None and sheet["K5"].value is None and sheet.max_row == 3005
    assert sheet["B3"].fill.fgColor.rgb == "FFFFC7CE" and sheet["F4"].fill.fgColor.rgb == "FFFFC7CE"
    assert [c.value for c in annotated["錯誤清單"]["A"]][1:] == [3, 4]

    # Fixed in the returned file itself (the 錯誤說明 column may stay), uploaded again under the same letter.
    sheet["B3"].value = national_id(2)
    sheet["F4"].value = "教職員"
    sheet["C4"].value = "陳老師"
    fixed = tmp_path / "讀者資料-修正.xlsx"
    annotated.save(fixed)
    click_and_wait(driver, link(driver, "重新上傳"))
    labelled(driver, "本批公文文號").send_keys("中市瀏小字第1150000002號")
    set_date(driver, labelled(driver, "本批發文日期"), today)
    labelled(driver, "讀者資料檔").send_keys(str(fixed))
    click_and_wait(driver, button(driver, "上傳並檢查"))
    assert text_of(driver, "h1") == "集體辦證批次"
    main = text_of(driver, "main")
    assert "讀者資料檔檢查無誤，已排入審核" in main
    assert "排隊審核中" in main
    facts = dict(zip([dt_.text for dt_ in driver.find_elements(By.CSS_SELECTOR, "dl.facts dt")],
                     [dd.text for dd in driver.find_elements(By.CSS_SELECTOR, "dl.facts dd")]))
    assert facts["人數"] == "3004"
    assert facts["本批公文文號"].startswith("中市瀏小字第1150000002號")
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "group-04-batch-queued.png")

    click_and_wait(driver, link(driver, "集體辦證聯絡人專區"))
    rows = [tr.text for tr in driver.find_elements(By.CSS_SELECTOR, "table.batches tbody tr")]
    assert len(rows) == 1 and "排隊審核中" in rows[0]
