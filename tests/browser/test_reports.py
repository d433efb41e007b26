"""The administrators' reports in Chromium (issue #14 item 4): a library administrator at phone width in zh-TW,
the consortium administrator at desktop width in English. Each opens the reports from the staff navigation,
chooses dates by their visible labels (a wrong date first), and reads charts drawn as SVG with the same figures
in a table beside them. The data is `onecard seed-reports`' made-up year, small here."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
)
from test_back_office import sign_in


def seeded_reports(server) -> dict:
    made = server.cli("seed-reports", "--applications", "3000", "--days", "120")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)


def choose(driver, label: str, value: str) -> None:
    box = labelled(driver, label)
    box.clear()
    box.send_keys(value)


def charts(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")


def assert_accessible_charts(driver, titles: list[str]) -> None:
    found = charts(driver)
    assert len(found) == 4
    for chart, title in zip(found, titles):
        labelled_by = chart.get_attribute("aria-labelledby").split()
        assert len(labelled_by) == 2, labelled_by
        assert driver.find_element(By.ID, labelled_by[0]).get_attribute("textContent") == title
        assert driver.find_element(By.ID, labelled_by[1]).get_attribute("textContent").strip(), "a description"
        assert chart.find_elements(By.TAG_NAME, "rect"), f"{title}: nothing drawn"
    assert driver.find_elements(By.CSS_SELECTOR, "main script") == []


def test_a_library_administrator_opens_the_reports_at_phone_width(server, make_driver):
    seeded = seeded_reports(server)
    account = next(s for s in seeded["staff"] if s["role"] == "admin")
    admin = make_driver("zh-TW,zh")
    sign_in(admin, server, account, "電子郵件", "密碼", "登入")
    click_and_wait(admin, link(admin, "報表", within=admin.find_element(By.CSS_SELECTOR, "header")))
    assert admin.find_element(By.TAG_NAME, "h1").text == "報表"
    # A library administrator has no library to choose: it is their own.
    assert admin.find_elements(By.ID, "library") == []

    # A day that does not exist: the message names the field, beside it and in the summary.
    choose(admin, "開始日期", "2026-02-30")
    choose(admin, "結束日期", seeded["to"])
    click_and_wait(admin, button(admin, "顯示報表"))
    summary = admin.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert "開始日期沒有這一天" in summary, summary
    assert labelled(admin, "開始日期").get_attribute("aria-invalid") == "true"
    assert charts(admin) == []

    # The span of the data, the start typed as an ROC date.
    year, month, day = seeded["from"].split("-")
    choose(admin, "開始日期", f"{int(year) - 1911}/{month}/{day}")
    click_and_wait(admin, button(admin, "顯示報表"))
    assert admin.find_element(By.CSS_SELECTOR, ".report-scope").text == f"臺北市立圖書館，{seeded['from']} 至 {seeded['to']}"
    assert_accessible_charts(admin, ["每日申請件數（依管道）", "決定所需時間（依佇列）", "服務時限達成率", "合作服務連結（依合作服務）"])
    # The table beside the first chart has a row for every day, and its totals add up to something.
    rows = admin.find_elements(By.CSS_SELECTOR, "#applications-caption ~ tbody tr")
    assert len(rows) == 120
    total = sum(int(r.find_elements(By.TAG_NAME, "td")[-1].get_attribute("textContent")) for r in rows)
    assert total > 0
    queues = [r.find_element(By.TAG_NAME, "th").text for r in admin.find_elements(By.CSS_SELECTOR, "#decisions-caption ~ tbody tr")]
    assert queues == ["臨櫃待辦的線上申請", "數位借閱證審核", "團體申請", "團體批次", "讀者申請事項"]
    # On a phone the chart is above its table, the width of the page, and nothing sticks out.
    chart = charts(admin)[0].rect
    table = admin.find_element(By.CSS_SELECTOR, ".report-table").rect
    assert table["y"] >= chart["y"] + chart["height"] - 1, (chart, table)
    assert chart["width"] > 300, chart
    assert_no_horizontal_scroll(admin)
    assert link(admin, "下載 Excel（xlsx）: 每日申請件數（依管道）").get_attribute("href").endswith(f"/staff/reports/applications/xlsx?from={seeded['from']}&to={seeded['to']}&library=TPML")
    screenshot(admin, "staff-reports-360.png")


def test_the_consortium_administrator_reads_every_library_in_english_at_desktop_width(server, make_driver):
    seeded = seeded_reports(server)
    account = next(s for s in seeded["staff"] if s["role"] == "consortium_admin")
    admin = make_driver("en")
    admin.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
    })
    sign_in(admin, server, account, "Email", "Password", "Sign in")
    click_and_wait(admin, link(admin, "Reports", within=admin.find_element(By.CSS_SELECTOR, "header")))
    choose(admin, "From", seeded["to"])
    choose(admin, "To", seeded["from"])
    click_and_wait(admin, button(admin, "Show the reports"))
    assert "To: the date cannot be before From." in admin.find_element(By.CSS_SELECTOR, ".error-summary").text

    choose(admin, "From", seeded["from"])
    choose(admin, "To", seeded["to"])
    library = labelled(admin, "Library")
    assert library.tag_name == "select"
    library.find_element(By.XPATH, ".//option[normalize-space(.)='All libraries']").click()
    click_and_wait(admin, button(admin, "Show the reports"))
    assert admin.find_element(By.CSS_SELECTOR, ".report-scope").text == f"All libraries, {seeded['from']} to {seeded['to']}"
    assert_accessible_charts(admin, ["Applications per day, by channel", "Time to decision, by queue", "Service-level compliance",
                                     "Partner links, by partner service"])
    # At this width each table is beside its chart.
    for section in admin.find_elements(By.CSS_SELECTOR, "section.report"):
        chart = section.find_element(By.CSS_SELECTOR, "svg[role=img]").rect
        table = section.find_element(By.CSS_SELECTOR, ".report-table").rect
        assert table["x"] >= chart["x"] + chart["width"] - 1, (chart, table)
    # Over 62 days, partner links are counted per month.
    assert admin.find_element(By.CSS_SELECTOR, "#partners-caption ~ thead th").text == "Month"
    levels = [r.find_element(By.TAG_NAME, "th").text for r in admin.find_elements(By.CSS_SELECTOR, "#compliance-caption ~ tbody tr")]
    assert levels == ["Digital cards: within 3 working days", "Group batches: target of 7 working days",
                      "Group batches: due within 10 working days"]
    screenshot(admin, "staff-reports-en-1280.png")

    # The csv link is the same figures as a file, for this signed-in session only.
    href = link(admin, "Download CSV: Applications per day, by channel").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in admin.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookies, "Accept-Language": "en"})) as answer:
        body = answer.read().decode("utf-8-sig")
    lines = body.strip().split("\r\n")
    assert lines[0] == "Day,Web form,Kiosks and partner systems,Group,Digital card,Total"
    assert len(lines) == 121
    try:
        urllib.request.urlopen(href)
        raise AssertionError("a download without the session was served")
    except urllib.error.HTTPError as refused:
        assert refused.code == 401, refused.code
