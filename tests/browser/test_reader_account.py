"""Section 二 of the seed (已辦理北市圖借閱證之讀者) in a real browser on a 360 x 800 phone screen:

步驟一 登入 → 步驟二 我的主頁 → 步驟三 我的帳戶 → 合作館服務 → 步驟四 啟用 → 步驟五 啟用服務聲明 → 同意
→ 步驟六 確定. Then the 行動借閱證: a screenshot of the phone screen is read by zxing-cpp, as a desk
scanner would read the phone, and must give the card number in both the Code 128 and the QR code.

The reader is made with `onecard seed-demo`, which activates real cards through the same services.
"""

from __future__ import annotations

import json
import urllib.parse

import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    text_of,
    wait_loaded,
)

PARTNERS_IN_SEED_ORDER = [
    "▶ 與台北通結合",
    "▶ 啟用新北市公共圖書館一證通用服務",
    "▶ 啟用基隆市公共圖書館一證通用服務",
    "▶ 啟用新竹縣公共圖書館一證通用服務",
]


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def demo_reader(server) -> dict:
    seeded = server.cli("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    reader = json.loads(seeded.stdout)["readers"][0]
    assert reader["name"] == "王小明"
    return reader


def partner_row(driver, name: str):
    rows = driver.find_elements(By.CSS_SELECTOR, "table.partners tbody tr")
    matching = [row for row in rows if row.find_element(By.CSS_SELECTOR, "th").text.strip() == name]
    assert len(matching) == 1, f"one row for {name}"
    return matching[0]


def test_section_two_enables_new_taipei_and_the_mobile_card_scans(server, driver):
    reader = demo_reader(server)

    # 步驟一: 登入 (top right), with the card number and password.
    driver.get(server.url("/"))
    wait_loaded(driver)
    click_and_wait(driver, link(driver, "登入", within=driver.find_element(By.CSS_SELECTOR, "header")))
    labelled(driver, "借閱證號或身分證字號").send_keys(reader["cardNumber"])
    labelled(driver, "密碼").send_keys(reader["password"])
    click_and_wait(driver, button(driver, "登入"))

    # 步驟二: 我的主頁 — and the header now offers it (top right) instead of 登入.
    assert path_of(driver) == "/account/home"
    assert text_of(driver, "h1") == "我的主頁"
    header = driver.find_element(By.CSS_SELECTOR, "header")
    assert header.find_elements(By.XPATH, ".//a[normalize-space()='我的主頁']"), "the header links to 我的主頁"
    assert not header.find_elements(By.XPATH, ".//a[normalize-space()='登入']")
    assert reader["cardNumber"] in driver.find_element(By.CSS_SELECTOR, "main").text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "reader-01-my-home.png")

    # 步驟三: 我的帳戶 → 合作館服務.
    click_and_wait(driver, link(driver, "我的帳戶", within=driver.find_element(By.CSS_SELECTOR, "main")))
    assert text_of(driver, "h1") == "我的帳戶"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "reader-02-my-account.png")
    click_and_wait(driver, link(driver, "合作館服務"))
    assert text_of(driver, "h1") == "合作館服務"
    names = [th.text.strip() for th in driver.find_elements(By.CSS_SELECTOR, "table.partners tbody th")]
    assert names == PARTNERS_IN_SEED_ORDER
    assert partner_row(driver, "▶ 啟用新北市公共圖書館一證通用服務").find_element(By.CSS_SELECTOR, "td").text.strip() == "未啟用"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "reader-03-partner-services.png")

    # 步驟四: 啟用 on the New Taipei row.
    row = partner_row(driver, "▶ 啟用新北市公共圖書館一證通用服務")
    click_and_wait(driver, row.find_element(By.XPATH, ".//a[normalize-space()='啟用']"))

    # 步驟五: read the statement, 同意.
    assert text_of(driver, "h1") == "啟用服務聲明"
    statement = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "結合新北市圖借閱證個人資料同意書" in statement
    assert "一、蒐集之目的" in statement
    assert button(driver, "不同意").is_displayed()
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "reader-04-statement.png")
    click_and_wait(driver, button(driver, "同意"))

    # 步驟六: 確定, back to the list, now enabled.
    assert "已啟用「啟用新北市公共圖書館一證通用服務」" in driver.find_element(By.CSS_SELECTOR, "main").text
    screenshot(driver, "reader-05-enabled.png")
    click_and_wait(driver, link(driver, "確定"))
    assert path_of(driver) == "/account/partners"
    assert partner_row(driver, "▶ 啟用新北市公共圖書館一證通用服務").find_element(By.CSS_SELECTOR, "td").text.strip() == "已啟用"
    assert partner_row(driver, "▶ 啟用基隆市公共圖書館一證通用服務").find_element(By.CSS_SELECTOR, "td").text.strip() == "未啟用"

    # My consents on 我的帳戶 show the New Taipei statement with its version.
    click_and_wait(driver, link(driver, "我的帳戶", within=driver.find_element(By.CSS_SELECTOR, "main")))
    consents = driver.find_element(By.CSS_SELECTOR, "ul.consents").text
    assert "結合新北市圖借閱證個人資料同意書" in consents

    # 行動借閱證: what the phone screen shows is what the desk scanner reads.
    click_and_wait(driver, link(driver, "我的主頁", within=driver.find_element(By.CSS_SELECTOR, "header")))
    click_and_wait(driver, link(driver, "行動借閱證", within=driver.find_element(By.CSS_SELECTOR, "main")))
    assert text_of(driver, "h1") == "行動借閱證"
    driver.execute_script("return Promise.all(Array.from(document.images).map(i => i.decode()))")
    assert driver.execute_script("return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert_no_horizontal_scroll(driver)
    path = screenshot(driver, "reader-06-mobile-card.png")
    found = {result.format.name: result.text for result in zxingcpp.read_barcodes(Image.open(path))}
    assert found.get("Code128") == reader["cardNumber"], found
    assert found.get("QRCode") == reader["cardNumber"], found
