"""Partner systems, API clients and SIP2 accounts from the back office (issue #14 item 6) in Chromium: a library
administrator creates an API client, sees its token once, and the token works at the API; in zh-TW on a phone
and in English at desktop width. A bad allowed address is refused with a message naming it."""

from __future__ import annotations

import requests
from selenium.webdriver.common.by import By

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    wait_loaded,
    xpath_literal,
    complete_second_factor,
)
from test_back_office import demo


def choice(driver, text: str):
    """The checkbox or radio button inside the visible <label> whose text is `text`."""
    labels = [l for l in driver.find_elements(By.XPATH, f"//label[normalize-space(.)={xpath_literal(text)}]") if l.is_displayed()]
    assert len(labels) == 1, f"expected one visible choice {text!r}, found {len(labels)}"
    return labels[0]


TEXTS = {
    "zh-TW,zh": {
        "email": "電子郵件", "password": "密碼", "sign_in": "登入", "nav": "系統介接", "room": "API 用戶端", "h1": "API 用戶端",
        "name": "名稱", "scope": "partner-lookup：查詢本館及已連結讀者的借閱證", "allow": "允許的來源位址",
        "create": "建立用戶端", "bad": "「10.0.0.0/33」不是 IP 位址或 IPv4 CIDR 網段。", "once": "其存取權杖只顯示這一次（系統只保存其雜湊值）：",
        "client": "自助機（三樓）", "width": "360",
    },
    "en": {
        "email": "Email", "password": "Password", "sign_in": "Sign in", "nav": "Connected systems", "room": "API clients", "h1": "API clients",
        "name": "Name", "scope": "partner-lookup: look up the library's own and linked readers' cards", "allow": "Allowed addresses",
        "create": "Create the client", "bad": "\"10.0.0.0/33\" is not an address or an IPv4 CIDR block.",
        "once": "Its token, shown this once (only its hash is kept):", "client": "Third-floor kiosk", "width": "1280",
    },
}


def run(server, make_driver, language: str) -> None:
    texts = TEXTS[language]
    seeded = demo(server)
    admin_account = next(s for s in seeded["staff"] if s["role"] == "admin")
    reader = seeded["readers"][0]
    phone = texts["width"] == "360"
    slug = language.split(",")[0]

    admin = make_driver(language)
    if not phone:
        admin.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
        })
    admin.get(server.url("/staff/login"))
    wait_loaded(admin)
    labelled(admin, texts["email"]).send_keys(admin_account["email"])
    labelled(admin, texts["password"]).send_keys(admin_account["password"])
    click_and_wait(admin, button(admin, texts["sign_in"]))
    complete_second_factor(admin, admin_account["email"])
    if not phone:
        # The administrator's rooms still fit beside the brand at this width, in at most two rows.
        nav = admin.find_element(By.CSS_SELECTOR, ".staff-nav")
        assert nav.size["height"] < 120, nav.size
    click_and_wait(admin, link(admin, texts["nav"], within=admin.find_element(By.CSS_SELECTOR, "header")))
    click_and_wait(admin, link(admin, texts["room"], within=admin.find_element(By.CSS_SELECTOR, "main nav")))
    assert admin.find_element(By.TAG_NAME, "h1").text == texts["h1"]

    # A bad entry is named beside the field, and what was typed is kept.
    labelled(admin, texts["name"]).send_keys(texts["client"])
    choice(admin, texts["scope"]).click()
    labelled(admin, texts["allow"]).send_keys("127.0.0.1, 10.0.0.0/33")
    click_and_wait(admin, button(admin, texts["create"]))
    error = admin.find_element(By.ID, "allow-error").text
    assert error == texts["bad"], error
    assert labelled(admin, texts["name"]).get_attribute("value") == texts["client"]
    assert labelled(admin, texts["allow"]).get_attribute("aria-invalid") == "true"
    if phone:
        assert_no_horizontal_scroll(admin)
    screenshot(admin, f"systems-api-client-error-{slug}.png")

    allow = labelled(admin, texts["allow"])
    allow.clear()
    allow.send_keys("127.0.0.1")
    if not admin.find_element(By.CSS_SELECTOR, "input[name='scopes[]'][value='partner-lookup']").is_selected():
        choice(admin, texts["scope"]).click()
    click_and_wait(admin, button(admin, texts["create"]))
    notice = admin.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert texts["once"] in notice, notice
    token = admin.find_element(By.ID, "new-token").text.strip()
    assert len(token) >= 32, token
    assert texts["client"] in admin.find_element(By.CSS_SELECTOR, "table").text
    if phone:
        assert_no_horizontal_scroll(admin)
    screenshot(admin, f"systems-api-client-token-{slug}.png")

    # The token works at the API from the allowed address.
    answer = requests.get(server.url(f"/api/v1/partners/TPML/patrons/{reader['cardNumber']}"),
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["cardNumber"] == reader["cardNumber"]

    # Shown once: the list again no longer has it.
    admin.get(server.url("/staff/api-clients"))
    wait_loaded(admin)
    assert token not in admin.page_source
    assert admin.find_elements(By.ID, "new-token") == []


def test_an_administrator_creates_an_api_client_and_sees_its_token_once_on_a_phone(server, make_driver):
    run(server, make_driver, "zh-TW,zh")


def test_an_administrator_creates_an_api_client_in_english_at_desktop_width(server, make_driver):
    run(server, make_driver, "en")
