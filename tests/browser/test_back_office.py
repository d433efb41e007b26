"""The back office in Chromium (issue #14 items 1, 2, 3, 7): the staff side's own navigation at phone and
desktop widths, a desk clerk finding a patron and opening the record (the full ID number only behind a
reveal), in zh-TW and in English; and the reader seeing which library looked at their data."""

from __future__ import annotations

import json

from selenium.webdriver.common.by import By

from browser_helpers import (
    complete_second_factor,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    wait_loaded,
)


def demo(server) -> dict:
    made = server.cli("seed-demo")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)


def sign_in(driver, server, account: dict, email_label: str, password_label: str, submit: str) -> None:
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    labelled(driver, email_label).send_keys(account["email"])
    labelled(driver, password_label).send_keys(account["password"])
    click_and_wait(driver, button(driver, submit))
    complete_second_factor(driver, account["email"])
    assert driver.current_url.endswith("/staff"), driver.current_url


def header_links(driver) -> list[str]:
    return [a.text.strip() for a in driver.find_elements(By.CSS_SELECTOR, "header a") if a.is_displayed()]


def masked(id_number: str) -> str:
    return id_number[:3] + "*" * (len(id_number) - 6) + id_number[-3:]


def test_a_desk_clerk_finds_a_patron_from_the_staff_navigation_at_phone_width(server, make_driver):
    seeded = demo(server)
    desk_account = next(s for s in seeded["staff"] if s["role"] == "desk")
    reader = seeded["readers"][0]

    desk = make_driver("zh-TW,zh")
    sign_in(desk, server, desk_account, "電子郵件", "密碼", "登入")

    # The staff side's own header: the rooms a desk clerk works, who is signed in, sign-out; no reader's link.
    links = header_links(desk)
    for expected in ("員工首頁", "讀者查詢", "查詢線上申請", "讀者申請"):
        assert expected in links, links
    for readers_link in ("網路辦證", "數位借閱證", "集體辦證", "登入"):
        assert readers_link not in links, links
    assert "稽核紀錄" not in links, "an administrator's room is not offered to the desk"
    account = desk.find_element(By.CSS_SELECTOR, ".staff-account").text
    assert desk_account["email"] in account and "臺北市立圖書館" in account and "櫃臺" in account, account
    assert button(desk, "登出").is_displayed()
    # The dashboard: the queues a clerk works, each with its figures.
    queues = desk.find_elements(By.CSS_SELECTOR, "ul.queues > li")
    assert [q.find_element(By.TAG_NAME, "h3").text for q in queues] == ["待臨櫃辦理的網路申請", "讀者申請"]
    assert_no_horizontal_scroll(desk)
    screenshot(desk, "staff-dashboard-360.png")

    click_and_wait(desk, link(desk, "讀者查詢", within=desk.find_element(By.CSS_SELECTOR, "header")))
    labelled(desk, "借閱證號、身分證字號、悠遊卡號、姓名、電話或電子信箱").send_keys(reader["idNumber"].lower())
    click_and_wait(desk, button(desk, "查詢"))
    results = desk.find_element(By.CSS_SELECTOR, "table.patron-results")
    assert reader["cardNumber"] in results.text and reader["name"] in results.text, results.text
    assert desk.find_element(By.CSS_SELECTOR, "[role=status]").text == "共 1 筆。"
    assert_no_horizontal_scroll(desk)
    screenshot(desk, "staff-patron-search-360.png")

    click_and_wait(desk, link(desk, reader["name"], within=results))
    assert desk.find_element(By.TAG_NAME, "h1").text == "讀者資料"
    main = desk.find_element(By.TAG_NAME, "main").text
    assert reader["cardNumber"] in main and "正常" in main, main
    assert masked(reader["idNumber"]) in main and reader["idNumber"] not in main, "only the masked number at first"
    click_and_wait(desk, button(desk, "顯示完整號碼"))
    main = desk.find_element(By.TAG_NAME, "main").text
    assert reader["idNumber"] in main and "本次顯示已記錄於稽核紀錄" in main, main
    assert_no_horizontal_scroll(desk)
    screenshot(desk, "staff-patron-record-360.png")

    # The reader sees that Taipei's desk looked, and why; never who.
    me = make_driver("zh-TW,zh")
    me.get(server.url("/login"))
    wait_loaded(me)
    labelled(me, "借閱證號或身分證字號").send_keys(reader["cardNumber"])
    labelled(me, "密碼").send_keys(reader["password"])
    click_and_wait(me, button(me, "登入"))
    me.get(server.url("/account"))
    wait_loaded(me)
    click_and_wait(me, link(me, "個人資料查閱紀錄"))
    rows = [r.text for r in me.find_elements(By.CSS_SELECTOR, "table.access-log tbody tr")]
    assert any("臺北市立圖書館" in r and "館員查閱讀者資料" in r for r in rows), rows
    assert any("臺北市立圖書館" in r and "臨櫃開通或升級借閱證" in r for r in rows), rows
    assert desk_account["email"] not in me.find_element(By.TAG_NAME, "main").text
    assert_no_horizontal_scroll(me)
    screenshot(me, "reader-access-log-360.png")


def test_the_staff_navigation_in_english_at_desktop_width(server, make_driver):
    seeded = demo(server)
    admin_account = next(s for s in seeded["staff"] if s["role"] == "admin")
    reader = seeded["readers"][1]

    admin = make_driver("en")
    admin.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
    })
    sign_in(admin, server, admin_account, "Email", "Password", "Sign in")
    links = header_links(admin)
    for expected in ("Staff home", "Find a patron", "Find an online application", "Reader requests", "Group applications",
                     "Partner notifications", "Audit trail", "Closed days"):
        assert expected in links, links
    assert "Apply online" not in links and "Sign in" not in links, links
    account = admin.find_element(By.CSS_SELECTOR, ".staff-account").text
    assert "Taipei Public Library" in account and "Administrator" in account, account
    # Beside the brand at this width, in at most two rows.
    nav = admin.find_element(By.CSS_SELECTOR, ".staff-nav")
    assert nav.size["height"] < 120, nav.size
    screenshot(admin, "staff-dashboard-en-1280.png")

    click_and_wait(admin, link(admin, "Find a patron", within=admin.find_element(By.CSS_SELECTOR, "header")))
    labelled(admin, "Card number, ID number, EasyCard number, name, phone or email").send_keys(reader["cardNumber"])
    click_and_wait(admin, button(admin, "Search"))
    assert admin.find_element(By.CSS_SELECTOR, "[role=status]").text == "1 found."
    results = admin.find_element(By.CSS_SELECTOR, "table.patron-results")
    click_and_wait(admin, link(admin, reader["name"], within=results))
    assert admin.find_element(By.TAG_NAME, "h1").text == "Patron record"
    main = admin.find_element(By.TAG_NAME, "main").text
    assert reader["cardNumber"] in main and "In good standing" in main, main
    assert reader["idNumber"] not in main
    assert button(admin, "Show the full number").is_displayed()
    screenshot(admin, "staff-patron-record-en-1280.png")
