"""Signing in to an e-resource platform with OneCard (OpenID Connect, issue #15 item 1) in Chromium on a phone
screen, in zh-TW and in English: the sign-in page names the platform, the consent screen names it and what it
will receive, and 同意 / Allow sends the reader back to the platform with a code (through the page's
Content-Security-Policy, whose form-action must let that redirect through). The platform is a small local
server that only answers its callback.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import secrets
import threading
import urllib.parse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser_helpers import assert_no_horizontal_scroll, button, click_and_wait, labelled, screenshot, text_of, wait_loaded
from test_reader_account import demo_reader


class Callback(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>platform</title><h1>platform</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def platform():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/callback"
    httpd.shutdown()


def authorization_url(server, client_id: str, redirect: str, verifier: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return server.url("/oidc/authorize?" + urllib.parse.urlencode({
        "client_id": client_id, "redirect_uri": redirect, "response_type": "code", "scope": "openid profile card",
        "state": "xyz", "nonce": "n1", "code_challenge": challenge, "code_challenge_method": "S256"}))


@pytest.mark.parametrize("language, texts", [
    ("zh-TW,zh", {"identifier": "借閱證號或身分證字號", "password": "密碼", "sign_in": "登入", "allow": "同意",
                  "title": "以借閱證登入「電子書平台」", "consent": "同意「電子書平台」取得您的資料？", "claim": "您的姓名"}),
    ("en,en-US", {"identifier": "Card number or ID number", "password": "Password", "sign_in": "Sign in", "allow": "Allow",
                  "title": "Sign in to 電子書平台 with your library card", "consent": "Allow 電子書平台 to know you?", "claim": "Your name"}),
])
def test_a_reader_signs_in_to_a_platform_and_consents_on_a_phone(server, make_driver, platform, language, texts):
    client_id = "phone-" + language.split(",")[0].lower()
    made = server.cli("oidc", "client", "create", "--client-id", client_id, "--name", "電子書平台", "--home-page",
                      "https://ebooks.example", "--redirect-uri", platform, "--scopes", "openid profile card", "--libraries", "TPML",
                      "--public")
    assert made.returncode == 0, made.stderr
    reader = demo_reader(server)
    verifier = secrets.token_urlsafe(48)
    driver = make_driver(language)
    slug = language.split(",")[0]

    driver.get(authorization_url(server, client_id, platform, verifier))
    wait_loaded(driver)
    assert text_of(driver, "h1") == texts["title"]
    assert_no_horizontal_scroll(driver)
    screenshot(driver, f"oidc-01-sign-in-{slug}.png")
    labelled(driver, texts["identifier"]).send_keys(reader["cardNumber"])
    labelled(driver, texts["password"]).send_keys(reader["password"])
    click_and_wait(driver, button(driver, texts["sign_in"]))

    assert text_of(driver, "h1") == texts["consent"]
    claims = [li.text.strip() for li in driver.find_elements(By.CSS_SELECTOR, "ul.claims li")]
    assert texts["claim"] in claims
    assert "https://ebooks.example" in driver.find_element(By.CSS_SELECTOR, "main").text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, f"oidc-02-consent-{slug}.png")
    button(driver, texts["allow"]).click()

    WebDriverWait(driver, 15).until(lambda d: d.current_url.startswith(platform + "?"))
    returned = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(driver.current_url).query))
    assert returned["state"] == "xyz"
    tokens = requests.post(server.url("/oidc/token"), data={
        "grant_type": "authorization_code", "code": returned["code"], "redirect_uri": platform, "client_id": client_id,
        "code_verifier": verifier}, timeout=10)
    assert tokens.status_code == 200, tokens.text
    assert "id_token" in tokens.json()
