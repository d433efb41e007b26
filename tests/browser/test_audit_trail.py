"""The audit trail in Chromium (issue #14 item 5): an administrator filters the trail and opens a subject's
record, in zh-TW at phone width and in English at desktop width. An ID number typed as the subject never
appears in the address bar."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    wait_loaded,
)
from test_back_office import sign_in


def demo(server) -> dict:
    made = server.cli("seed-demo")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)


def rows(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "table.audit-trail tbody tr")


def cells(row) -> list[str]:
    return [td.text.strip() for td in row.find_elements(By.TAG_NAME, "td")]


def test_an_administrator_finds_a_patrons_entries_by_id_number_at_phone_width(server, make_driver):
    seeded = demo(server)
    admin_account = next(s for s in seeded["staff"] if s["role"] == "admin")
    reader = seeded["readers"][0]

    admin = make_driver("zh-TW,zh")
    sign_in(admin, server, admin_account, "電子郵件", "密碼", "登入")
    click_and_wait(admin, link(admin, "稽核紀錄", within=admin.find_element(By.CSS_SELECTOR, "header")))
    assert admin.find_element(By.TAG_NAME, "h1").text == "稽核紀錄"
    first = [cells(r)[1] for r in rows(admin)]
    assert "員工登入" in first, first
    assert not any("." in words and " " not in words for words in first), f"actions are in words: {first}"
    assert_no_horizontal_scroll(admin)
    screenshot(admin, "staff-audit-trail-360.png")

    labelled(admin, "對象").send_keys(reader["idNumber"].lower())
    click_and_wait(admin, button(admin, "搜尋"))
    assert reader["idNumber"].upper() not in admin.current_url.upper(), admin.current_url
    assert "subject=sealed" in admin.current_url
    assert labelled(admin, "對象").get_attribute("value") == reader["idNumber"].upper(), "what was typed stays in the box"
    found = rows(admin)
    assert found, "the reader's entries"
    subject = f"讀者 {reader['cardNumber']}"
    for row in found:
        assert subject in cells(row)[3], cells(row)
    actions = [cells(r)[1] for r in found]
    assert "臨櫃開通" in actions, actions
    assert admin.find_element(By.CSS_SELECTOR, ".audit-count").text.startswith("符合 ")
    assert_no_horizontal_scroll(admin)
    screenshot(admin, "staff-audit-trail-subject-360.png")

    click_and_wait(admin, link(admin, subject, within=found[0]))
    assert admin.find_element(By.TAG_NAME, "h1").text == "讀者資料"
    main = admin.find_element(By.TAG_NAME, "main").text
    assert reader["cardNumber"] in main and reader["name"] in main, main
    assert "查看稽核紀錄" not in main
    screenshot(admin, "staff-audit-trail-record-360.png")

    # A date that is no date is refused, naming the field, with what was typed kept.
    click_and_wait(admin, link(admin, "稽核紀錄", within=admin.find_element(By.CSS_SELECTOR, "header")))
    labelled(admin, "起日").send_keys("2026-02-30")
    click_and_wait(admin, button(admin, "搜尋"))
    error = admin.find_element(By.CSS_SELECTOR, "#from-error").text
    assert error == "「起日」請以 YYYY-MM-DD 格式輸入有效日期。", error
    assert labelled(admin, "起日").get_attribute("aria-invalid") == "true"
    assert_no_horizontal_scroll(admin)
    screenshot(admin, "staff-audit-trail-error-360.png")


def test_an_administrator_filters_by_day_and_action_and_opens_a_subject_in_english_at_desktop_width(server, make_driver):
    seeded = demo(server)
    admin_account = next(s for s in seeded["staff"] if s["role"] == "admin")

    admin = make_driver("en")
    admin.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
    })
    sign_in(admin, server, admin_account, "Email", "Password", "Sign in")
    click_and_wait(admin, link(admin, "Audit trail", within=admin.find_element(By.CSS_SELECTOR, "header")))
    today = dt.datetime.now(ZoneInfo("Asia/Taipei")).date().isoformat()
    labelled(admin, "From").send_keys(today)
    labelled(admin, "To").send_keys(today)
    Select(labelled(admin, "Action")).select_by_visible_text("Staff signed in")
    click_and_wait(admin, button(admin, "Search"))
    shown = [cells(r) for r in rows(admin)]
    assert shown and all(c[1] == "Staff signed in" for c in shown), shown
    assert any(admin_account["email"] in c[2] for c in shown), shown
    assert admin.find_element(By.CSS_SELECTOR, ".audit-count").text.endswith("entries match")
    screenshot(admin, "staff-audit-trail-en-1280.png")

    Select(labelled(admin, "Action")).select_by_visible_text("Activated at a desk")
    click_and_wait(admin, button(admin, "Search"))
    activated = rows(admin)
    assert activated, "the demo's desk activations"
    subject = cells(activated[0])[3].split(" Only this subject")[0].strip()
    assert subject.startswith("Patron "), subject
    click_and_wait(admin, link(admin, "Only this subject", within=activated[0]))
    assert subject in admin.find_element(By.CSS_SELECTOR, ".audit-subject-filter").text
    about = [cells(r) for r in rows(admin)]
    assert about and all(subject in c[3] for c in about), about
    screenshot(admin, "staff-audit-trail-subject-en-1280.png")
    click_and_wait(admin, link(admin, subject, within=rows(admin)[0]))
    assert admin.find_element(By.TAG_NAME, "h1").text == "Patron record"
    assert subject.removeprefix("Patron ") in admin.find_element(By.TAG_NAME, "main").text
