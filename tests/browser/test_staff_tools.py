"""Back-office tools in Chromium on a phone-sized window, used as staff would: a desk clerk suspends
and reinstates a card (停權, 復權), an administrator closes the library for a day (休館日)."""

from __future__ import annotations

import datetime
import json

from selenium.webdriver.common.by import By

from browser_helpers import (
    complete_second_factor,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    field,
    labelled,
    link,
    screenshot,
    set_date,
    wait_loaded,
)


def facts(driver) -> dict[str, str]:
    return driver.execute_script("""
        const out = {};
        for (const dt of document.querySelectorAll('dl dt')) {
          const dd = dt.nextElementSibling;
          if (dd && dd.tagName === 'DD') out[dt.textContent.trim()] = dd.textContent.trim();
        }
        return out;""")


def sign_in(driver, server, account: dict) -> None:
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    field(driver, "電子郵件").send_keys(account["email"])
    field(driver, "密碼").send_keys(account["password"])
    click_and_wait(driver, button(driver, "登入"))
    complete_second_factor(driver, account["email"])
    assert driver.current_url.endswith("/staff"), driver.current_url


def test_desk_suspends_and_reinstates_a_card_and_an_administrator_closes_a_day(server, make_driver):
    made = server.cli("seed-demo")
    assert made.returncode == 0, made.stderr
    demo = json.loads(made.stdout)
    desk_account = next(s for s in demo["staff"] if s["role"] == "desk")
    admin_account = next(s for s in demo["staff"] if s["role"] == "admin")
    reader = demo["readers"][0]

    desk = make_driver("zh-TW,zh")
    sign_in(desk, server, desk_account)
    click_and_wait(desk, link(desk, "查詢線上申請"))
    labelled(desk, "身分證字號或申請編號").send_keys(reader["idNumber"])
    click_and_wait(desk, button(desk, "查詢"))
    results = desk.find_element(By.CSS_SELECTOR, "ul.results")
    assert reader["name"] in results.text
    click_and_wait(desk, results.find_element(By.TAG_NAME, "a"))
    assert facts(desk).get("借閱證號") == reader["cardNumber"], facts(desk)

    # Without a reason: told so beside the field, nothing changes.
    click_and_wait(desk, button(desk, "停權"))
    error = desk.find_element(By.ID, "reason-error")
    assert error.text.strip(), "the reason is required"
    assert labelled(desk, "停權原因").get_attribute("aria-invalid") == "true"
    labelled(desk, "停權原因").send_keys("讀者來電告知證件遺失")
    click_and_wait(desk, button(desk, "停權"))
    shown = facts(desk)
    assert "停權中" in " ".join(shown.values()), shown
    assert shown.get("停權原因") == "讀者來電告知證件遺失", shown
    assert_no_horizontal_scroll(desk)
    screenshot(desk, "desk-card-suspended-360.png")
    click_and_wait(desk, button(desk, "復權"))
    assert "停權中" not in " ".join(facts(desk).values())
    assert desk.find_elements(By.XPATH, "//button[normalize-space(.)='停權']"), "it can be suspended again"

    admin = make_driver("zh-TW,zh")
    sign_in(admin, server, admin_account)
    click_and_wait(admin, link(admin, "休館日"))
    closed_on = datetime.date.today() + datetime.timedelta(days=14)
    # Typed as a 民國 date (#17), listed as one.
    set_date(admin, labelled(admin, "日期"), f"{closed_on.year - 1911}/{closed_on.month:02d}/{closed_on.day:02d}")
    day = f"民國{closed_on.year - 1911}年{closed_on.month}月{closed_on.day}日"
    labelled(admin, "原因").send_keys("年度館藏盤點")
    click_and_wait(admin, button(admin, "設為休館日"))
    notice = admin.find_element(By.CSS_SELECTOR, ".notice")
    assert notice.text.strip() == "已設為休館日。"
    table = admin.find_element(By.CSS_SELECTOR, "table")
    assert day in table.text and "年度館藏盤點" in table.text
    assert_no_horizontal_scroll(admin)
    screenshot(admin, "staff-calendar-360.png")
    click_and_wait(admin, button(admin, "取消休館"))
    assert admin.find_element(By.CSS_SELECTOR, ".notice").text.strip() == "已取消休館日。"
    assert "目前沒有自訂的休館日" in admin.find_element(By.TAG_NAME, "main").text
