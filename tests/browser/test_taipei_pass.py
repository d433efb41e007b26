"""與台北通結合 and 以台北通登入 in a real browser on a 360 x 800 phone screen, through the real pages of an
OpenID Connect provider: oidc-provider-mock (PyPI), run by tests/oidc/provider.py with PKCE enforced.

A reader signs in with the card number → 我的帳戶 → 合作館服務 → 與台北通結合 → 啟用 → the city's consent
statement → 同意 → the provider's page: types a subject and presses Authorize → back: 已啟用 → signs out →
以台北通登入 → the provider's page → 我的主頁 of the same card. An account that no card is linked with is
told to link it first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from browser_helpers import (
    REPO_ROOT,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    text_of,
    wait_loaded,
)
from conftest import onecard_server

PROVIDER = REPO_ROOT / "tests" / "oidc" / "provider.py"


@pytest.fixture(scope="module")
def provider():
    proc = subprocess.Popen([sys.executable, str(PROVIDER)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening "), f"provider did not start: {line!r}"
        yield line.split(" ", 1)[1]
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def taipei_pass_server(provider):
    with onecard_server({"ONECARD_TAIPEI_PASS_ISSUER": provider, "ONECARD_TAIPEI_PASS_CLIENT_ID": "onecard-browser"}) as srv:
        yield srv


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def partner_row(driver, name: str):
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table.partners tbody tr")
            if row.find_element(By.CSS_SELECTOR, "th").text.strip() == name]
    assert len(rows) == 1, f"one row for {name}"
    return rows[0]


def authorize_at_provider(driver, provider: str, subject: str, shot: str | None = None) -> None:
    """On the provider's own authorization page: type the subject and press Authorize."""
    assert driver.current_url.startswith(provider + "/oauth2/authorize?"), driver.current_url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query)
    assert query["code_challenge_method"] == ["S256"] and "code_verifier" not in query
    field = driver.find_element(By.CSS_SELECTOR, "input[name='sub']")
    field.send_keys(subject)
    if shot:
        screenshot(driver, shot)
    click_and_wait(driver, button(driver, "Authorize"))


def test_link_taipei_pass_then_sign_in_with_it(taipei_pass_server, provider, make_driver):
    server = taipei_pass_server
    seeded = server.cli("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    reader = json.loads(seeded.stdout)["readers"][0]
    subject = f"citizen-{uuid.uuid4()}"
    driver = make_driver("zh-TW,zh")

    driver.get(server.url("/login"))
    wait_loaded(driver)
    labelled(driver, "借閱證號或身分證字號").send_keys(reader["cardNumber"])
    labelled(driver, "密碼").send_keys(reader["password"])
    click_and_wait(driver, button(driver, "登入"))
    assert path_of(driver) == "/account/home"

    click_and_wait(driver, link(driver, "我的帳戶", within=driver.find_element(By.CSS_SELECTOR, "main")))
    click_and_wait(driver, link(driver, "合作館服務"))
    row = partner_row(driver, "▶ 與台北通結合")
    assert row.find_element(By.CSS_SELECTOR, "td").text.strip() == "未啟用"
    assert "請洽服務臺" not in row.text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "taipei-pass-01-partner-services.png")

    click_and_wait(driver, row.find_element(By.XPATH, ".//a[normalize-space()='啟用']"))
    assert text_of(driver, "h1") == "啟用服務聲明"
    main = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "臺北市府單一識別服務個人資料蒐集、處理及利用同意書" in main
    assert "按「同意」後將前往台北通登入頁" in main
    assert button(driver, "不同意").is_displayed()
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "taipei-pass-02-statement.png")

    click_and_wait(driver, button(driver, "同意"))
    authorize_at_provider(driver, provider, subject, shot="taipei-pass-03-provider-page.png")

    assert path_of(driver) == "/account/partners/TAIPEI_PASS/done"
    assert "已啟用「與台北通結合」，您的同意紀錄已保存。" in driver.find_element(By.CSS_SELECTOR, "main").text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "taipei-pass-04-linked.png")
    click_and_wait(driver, link(driver, "確定"))
    row = partner_row(driver, "▶ 與台北通結合")
    assert row.find_element(By.CSS_SELECTOR, "td").text.strip() == "已啟用"
    assert row.find_element(By.XPATH, ".//a[normalize-space()='停用']").is_displayed()

    # Sign out, then sign in with Taipei Pass alone.
    click_and_wait(driver, link(driver, "我的主頁", within=driver.find_element(By.CSS_SELECTOR, "header")))
    click_and_wait(driver, button(driver, "登出"))
    driver.get(server.url("/login"))
    wait_loaded(driver)
    assert text_of(driver, "#taipei-pass-heading") == "以台北通登入"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "taipei-pass-05-sign-in-page.png")
    click_and_wait(driver, button(driver, "以台北通登入"))
    authorize_at_provider(driver, provider, subject)
    assert path_of(driver) == "/account/home"
    assert text_of(driver, "h1") == "我的主頁"
    assert reader["cardNumber"] in driver.find_element(By.CSS_SELECTOR, "main").text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "taipei-pass-06-signed-in.png")


def test_an_unlinked_taipei_pass_account_is_told_to_link_first(taipei_pass_server, provider, make_driver):
    driver = make_driver("zh-TW,zh")
    driver.get(taipei_pass_server.url("/login"))
    wait_loaded(driver)
    click_and_wait(driver, button(driver, "以台北通登入"))
    authorize_at_provider(driver, provider, f"stranger-{uuid.uuid4()}")
    assert path_of(driver) == "/login"
    alert = driver.find_element(By.CSS_SELECTOR, "[role='alert']").text
    assert "這個台北通帳號尚未與借閱證結合" in alert
    assert "合作館服務" in alert
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "taipei-pass-07-not-linked.png")
