"""Libraries in Chromium (issue #14 item 6): an administrator adds a service desk and a reader applying
online is told of it; the consortium administrator adds a member library and it is in the directory at
once. zh-TW at phone width, English at desktop width, inputs found by their visible labels."""

from __future__ import annotations

import json
import random
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.by import By

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    complete_second_factor,
    field,
    labelled,
    link,
    screenshot,
    wait_loaded,
)
from test_card_application import AGREE, fill_form, labelled_click, make_national_id

STAFF_PASSWORD = "correct horse battery staple"

TEXTS = {
    "zh-TW,zh": {
        "new_password": "新密碼", "again": "再次輸入新密碼", "set": "設定密碼", "email": "電子郵件", "password": "密碼",
        "sign_in": "登入", "room_library": "服務臺與合作館服務", "room_libraries": "成員館",
        "desk_code": "服務臺代碼", "desk_zh": "服務臺中文名稱", "desk_en": "服務臺英文名稱", "add_desk": "新增服務臺",
        "desk_added": "已新增服務臺。", "close": "關閉{desk}", "desk_closed": "已關閉服務臺。", "closed": "已關閉",
        "reopen": "重新開放{desk}", "desk_reopened": "已重新開放服務臺。", "code": "館代碼", "name_zh": "中文館名", "name_en": "英文館名",
        "prefix": "借閱證號前綴", "add_library": "新增成員館", "prefix_error": "借閱證號前綴：請填 4 位數字。",
    },
    "en": {
        "new_password": "New password", "again": "New password again", "set": "Set password", "email": "Email",
        "password": "Password", "sign_in": "Sign in", "room_library": "Desks and partner services",
        "room_libraries": "Member libraries", "desk_code": "Desk code", "desk_zh": "Desk name in Chinese",
        "desk_en": "Desk name in English", "add_desk": "Add the desk", "desk_added": "The desk was added.",
        "code": "Library code", "name_zh": "Name in Chinese", "name_en": "Name in English", "prefix": "Card number prefix",
        "add_library": "Add the library", "prefix_error": "Card number prefix: enter 4 digits.",
    },
}


def staff_signed_in(server, make_driver, language: str, library: str, role: str, desktop: bool):
    """A staff account made with the CLI, its password set through the emailed link, signed in."""
    texts = TEXTS[language]
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    created = server.cli("staff", "create", "--library", library, "--role", role, "--email", email)
    assert created.returncode == 0, created.stderr
    driver = make_driver(language)
    if desktop:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
        })
    driver.get(created.stdout.strip())
    wait_loaded(driver)
    field(driver, texts["new_password"]).send_keys(STAFF_PASSWORD)
    field(driver, texts["again"]).send_keys(STAFF_PASSWORD)
    click_and_wait(driver, button(driver, texts["set"]))
    field(driver, texts["email"]).send_keys(email)
    field(driver, texts["password"]).send_keys(STAFF_PASSWORD)
    click_and_wait(driver, button(driver, texts["sign_in"]))
    complete_second_factor(driver, email)
    assert driver.current_url.endswith("/staff"), driver.current_url
    return driver


def directory(server) -> list[dict]:
    with urllib.request.urlopen(server.url("/api/v1/libraries")) as response:
        return json.load(response)


def test_an_administrator_adds_a_desk_and_a_reader_applying_is_told_of_it_at_phone_width(server, make_driver):
    texts = TEXTS["zh-TW,zh"]
    n = random.randint(100, 999)
    name_zh, name_en, code = f"信義{n}分館", f"Xinyi {n} Branch", f"XINYI{n}"
    admin = staff_signed_in(server, make_driver, "zh-TW,zh", "TPML", "admin", desktop=False)
    click_and_wait(admin, link(admin, texts["room_library"], within=admin.find_element(By.CSS_SELECTOR, "header")))
    assert admin.find_element(By.TAG_NAME, "h1").text == texts["room_library"]
    labelled(admin, texts["desk_code"]).send_keys(code.lower())
    labelled(admin, texts["desk_zh"]).send_keys(name_zh)
    labelled(admin, texts["desk_en"]).send_keys(name_en)
    click_and_wait(admin, button(admin, texts["add_desk"]))
    assert admin.find_element(By.CSS_SELECTOR, "p.notice[role=status]").text == texts["desk_added"]
    desks = [h.text for h in admin.find_elements(By.CSS_SELECTOR, "ul.desk-list h3")]
    assert any(name_zh in d and f"({code})" in d for d in desks), desks
    assert_no_horizontal_scroll(admin)
    screenshot(admin, "staff-library-desk-added-360.png")

    # Closed for a while (renovation), then reopened: the reader below is told of it again.
    click_and_wait(admin, button(admin, texts["close"].format(desk=name_zh)))
    assert admin.find_element(By.CSS_SELECTOR, "p.notice[role=status]").text == texts["desk_closed"]
    closed = next(li for li in admin.find_elements(By.CSS_SELECTOR, "ul.desk-list li") if f"({code})" in li.text)
    assert closed.find_element(By.CSS_SELECTOR, ".desk-closed").text == texts["closed"]
    click_and_wait(admin, button(admin, texts["reopen"].format(desk=name_zh)))
    assert admin.find_element(By.CSS_SELECTOR, "p.notice[role=status]").text == texts["desk_reopened"]
    reopened = next(li for li in admin.find_elements(By.CSS_SELECTOR, "ul.desk-list li") if f"({code})" in li.text)
    assert not reopened.find_elements(By.CSS_SELECTOR, ".desk-closed"), reopened.text
    button(admin, texts["close"].format(desk=name_zh))  # open again, so it can be closed again
    assert_no_horizontal_scroll(admin)

    # A reader applies online and is told the new (reopened) desk is one where the card is completed.
    reader = make_driver("zh-TW,zh")
    reader.get(server.url("/apply"))
    wait_loaded(reader)
    labelled_click(reader, AGREE)
    click_and_wait(reader, button(reader, "確認"))
    fill_form(reader, id_number=make_national_id(), link_ntpl=False)
    click_and_wait(reader, button(reader, "確認"))
    assert reader.current_url.endswith("/apply/done"), reader.current_url
    open_desks = [li.text for li in reader.find_elements(By.CSS_SELECTOR, "ul.desks li")]
    assert name_zh in open_desks and "總館" in open_desks, open_desks
    assert reader.find_element(By.ID, "open-desks").text == "開放中的服務臺："
    assert_no_horizontal_scroll(reader)
    screenshot(reader, "apply-done-desks-360.png")


@pytest.mark.parametrize("language,desktop", [("en", True), ("zh-TW,zh", False)])
def test_the_consortium_administrator_adds_a_member_library_and_it_is_in_the_directory(server, make_driver, language, desktop):
    texts = TEXTS[language]
    letters = "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
    code, prefix = f"T{letters}", str(random.randint(2000, 9999))
    name_zh, name_en = f"測試{letters}縣立圖書館", f"Test {letters} County Library"
    consortium = staff_signed_in(server, make_driver, language, "NLPI", "consortium_admin", desktop=desktop)
    click_and_wait(consortium, link(consortium, texts["room_libraries"],
                                    within=consortium.find_element(By.CSS_SELECTOR, "header")))
    table = consortium.find_element(By.CSS_SELECTOR, "table").text
    assert "TPML" in table and "NLPI" in table, table

    # A wrong prefix first: the message names the field, beside it, and what was typed is kept.
    labelled(consortium, texts["code"]).send_keys(code.lower())
    labelled(consortium, texts["name_zh"]).send_keys(name_zh)
    labelled(consortium, texts["name_en"]).send_keys(name_en)
    labelled(consortium, texts["prefix"]).send_keys("12a")
    click_and_wait(consortium, button(consortium, texts["add_library"]))
    assert consortium.find_element(By.ID, "cardPrefix-error").text == texts["prefix_error"]
    assert labelled(consortium, texts["prefix"]).get_attribute("aria-invalid") == "true"
    assert labelled(consortium, texts["name_en"]).get_attribute("value") == name_en
    assert not any(library["code"] == code for library in directory(server))

    prefix_input = labelled(consortium, texts["prefix"])
    prefix_input.clear()
    prefix_input.send_keys(prefix)
    click_and_wait(consortium, button(consortium, texts["add_library"]))
    assert consortium.find_element(By.CSS_SELECTOR, "p.notice[role=status]").text.find(code) >= 0
    rows = [r.text for r in consortium.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    assert any(code in r and name_zh in r and prefix in r for r in rows), rows
    if desktop:
        screenshot(consortium, "staff-libraries-added-en-1280.png")
    else:
        assert_no_horizontal_scroll(consortium)
        screenshot(consortium, "staff-libraries-added-360.png")

    # In the directory at once: the API and the home page.
    added = next(library for library in directory(server) if library["code"] == code)
    assert added["name"] == {"zh-TW": name_zh, "en": name_en} and added["cardPrefix"] == prefix, added
    visitor = make_driver(language)
    visitor.get(server.url("/"))
    wait_loaded(visitor)
    assert (name_en if language == "en" else name_zh) in visitor.find_element(By.TAG_NAME, "main").text
