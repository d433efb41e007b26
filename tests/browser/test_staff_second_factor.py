"""Staff accounts and the second factor in Chromium (issue #14 item 6): a reviewer enrols an authenticator app
(the setup key read from the page, the code made by pyotp as the app would) and signs in again with a code, at
phone width in zh-TW; an administrator invites a staff member at desktop width in English."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from selenium.webdriver.common.by import By

from browser_helpers import (
    TOTP_SECRETS,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    field,
    link,
    screenshot,
    totp_code,
    wait_loaded,
)

PASSWORD = "correct horse battery staple"


def path_of(driver) -> str:
    return urlsplit(driver.current_url).path


def staff_with_password(server, driver, role: str, email: str) -> None:
    created = server.cli("staff", "create", "--library", "TPML", "--role", role, "--email", email)
    assert created.returncode == 0, created.stderr
    driver.get(created.stdout.strip())
    wait_loaded(driver)
    new, again, submit = ("New password", "New password again", "Set password") \
        if driver.find_element(By.TAG_NAME, "html").get_attribute("lang").startswith("en") else ("新密碼", "再次輸入新密碼", "設定密碼")
    field(driver, new).send_keys(PASSWORD)
    field(driver, again).send_keys(PASSWORD)
    click_and_wait(driver, button(driver, submit))
    assert path_of(driver) == "/staff/login"


def sign_in_password(driver, server, email: str, labels=("電子郵件", "密碼", "登入")) -> None:
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    field(driver, labels[0]).send_keys(email)
    field(driver, labels[1]).send_keys(PASSWORD)
    click_and_wait(driver, button(driver, labels[2]))


def test_a_reviewer_enrols_an_authenticator_app_and_signs_in_again_with_its_code(server, driver):
    email = f"reviewer-{uuid.uuid4().hex[:8]}@tpml.example"
    staff_with_password(server, driver, "reviewer", email)
    sign_in_password(driver, server, email)
    assert path_of(driver) == "/staff/login/enrol"
    assert driver.find_element(By.TAG_NAME, "h1").text == "設定登入驗證碼"
    qr = driver.find_element(By.ID, "totp-qr")
    assert qr.get_attribute("alt").startswith("驗證器 App 用的 QR Code")
    assert qr.get_attribute("naturalWidth") and int(qr.get_attribute("naturalWidth")) > 100, "the QR code is drawn"
    shown = driver.find_element(By.ID, "totp-secret").text
    secret = shown.replace(" ", "")
    assert len(secret) == 32 and secret.isalnum(), shown
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-second-factor-enrol-360.png")

    # A wrong code first: the message, and the page still shows the same key.
    field(driver, "App 上的驗證碼").send_keys("000000")
    click_and_wait(driver, button(driver, "確認"))
    assert "驗證碼不正確或已使用過" in driver.find_element(By.ID, "error-summary").text
    assert driver.find_element(By.ID, "totp-secret").text == shown
    # The key as a person reads it off the page, typed into "the app" (pyotp).
    TOTP_SECRETS[email] = secret
    field(driver, "App 上的驗證碼").send_keys(totp_code(email))
    click_and_wait(driver, button(driver, "確認"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "您的備用碼"
    codes = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#recovery-codes code")]
    assert len(set(codes)) == 10, codes
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-recovery-codes-360.png")
    click_and_wait(driver, link(driver, "我已保存備用碼，前往員工首頁"))
    assert path_of(driver) == "/staff"
    click_and_wait(driver, button(driver, "登出"))

    # Signing in again: the password, then a code from the app.
    sign_in_password(driver, server, email)
    assert path_of(driver) == "/staff/login/code"
    assert driver.find_element(By.TAG_NAME, "h1").text == "輸入登入驗證碼"
    driver.get(server.url("/staff/patrons"))
    wait_loaded(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text != "讀者查詢", "the password alone opens nothing"
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    assert path_of(driver) == "/staff/login/code", "the sign-in continues at the code"
    field(driver, "登入驗證碼").send_keys(totp_code(email))
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-second-factor-code-360.png")
    click_and_wait(driver, button(driver, "繼續"))
    assert path_of(driver) == "/staff"
    assert email in driver.find_element(By.CSS_SELECTOR, ".staff-account").text
    click_and_wait(driver, button(driver, "登出"))

    # And once with a recovery code, as after losing the phone.
    sign_in_password(driver, server, email)
    field(driver, "登入驗證碼").send_keys(codes[0])
    click_and_wait(driver, button(driver, "繼續"))
    assert path_of(driver) == "/staff"


def test_an_administrator_invites_a_staff_member_in_english_at_desktop_width(server, make_driver):
    admin = make_driver("en")
    admin.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
    })
    email = f"admin-{uuid.uuid4().hex[:8]}@tpml.example"
    staff_with_password(server, admin, "admin", email)
    sign_in_password(admin, server, email, labels=("Email", "Password", "Sign in"))
    assert path_of(admin) == "/staff/login/enrol"
    TOTP_SECRETS[email] = admin.find_element(By.ID, "totp-secret").get_attribute("data-secret")
    field(admin, "Code from the app").send_keys(totp_code(email))
    click_and_wait(admin, button(admin, "Confirm"))
    click_and_wait(admin, link(admin, "I have kept my recovery codes; go to the staff home"))

    click_and_wait(admin, link(admin, "Staff accounts", within=admin.find_element(By.CSS_SELECTOR, "header")))
    assert admin.find_element(By.TAG_NAME, "h1").text == "Staff accounts"
    invited = f"clerk-{uuid.uuid4().hex[:8]}@tpml.example"
    field(admin, "Email address").send_keys(invited)
    role = field(admin, "Role")
    role.find_element(By.CSS_SELECTOR, "option[value=reviewer]").click()
    click_and_wait(admin, button(admin, "Send invitation"))
    status = admin.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert status == f"{invited} has been invited: an email with a link to set the password is on its way.", status
    row = admin.find_element(By.XPATH, f"//tr[td[normalize-space(.)='{invited}']]")
    assert "Reviewer" in row.text and "Invited (no password yet)" in row.text, row.text
    # Their row offers the administrator's actions; the administrator's own row offers none.
    own = admin.find_element(By.XPATH, f"//tr[td[normalize-space(.)='{email}']]")
    assert not own.find_elements(By.TAG_NAME, "form"), "no actions on one's own account"
    role_of = field(admin, f"Role of {invited}")
    role_of.find_element(By.CSS_SELECTOR, "option[value=desk]").click()
    click_and_wait(admin, row.find_element(By.XPATH, ".//button[normalize-space(.)='Change role']"))
    assert admin.find_element(By.CSS_SELECTOR, "[role=status]").text == f"The role of {invited} is now Desk."

    # Disabled, then enabled again: the account comes back waiting for a new password from a mailed link.
    def invited_row():
        return admin.find_element(By.XPATH, f"//tr[td[normalize-space(.)='{invited}']]")
    click_and_wait(admin, invited_row().find_element(By.XPATH, ".//button[normalize-space(.)='Disable']"))
    assert admin.find_element(By.CSS_SELECTOR, "[role=status]").text == f"{invited} is disabled and has been signed out."
    assert "Disabled" in invited_row().text and not invited_row().find_elements(By.XPATH, ".//button[normalize-space(.)='Disable']")
    enable = invited_row().find_element(By.XPATH, ".//button[normalize-space(.)='Enable']")
    assert enable.get_attribute("aria-label") == f"Enable {invited} again"
    click_and_wait(admin, enable)
    assert admin.find_element(By.CSS_SELECTOR, "[role=status]").text.startswith(
        f"{invited} is enabled again: an email with a link to set a new password is on its way.")
    assert "Invited (no password yet)" in invited_row().text, invited_row().text
    assert invited_row().find_elements(By.XPATH, ".//button[normalize-space(.)='Disable']"), "it can be disabled again"
    scroll_width, inner_width = admin.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width == 1280, (scroll_width, inner_width)
    screenshot(admin, "staff-accounts-en-1280.png")
