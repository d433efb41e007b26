"""Consent documents in Chromium (issue #14 item 6): an administrator drafts a new version of the library's
personal data statement, previews it as readers will see it, marks it as needing renewed consent and
publishes it; a reader who agreed to the older version signs in, is asked, and accepts. In zh-TW at phone
width and in English at desktop width, inputs found by their visible labels."""

from __future__ import annotations

import json

from selenium.webdriver.common.by import By

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    screenshot,
    wait_loaded,
)
from test_back_office import sign_in as staff_sign_in


def demo(server) -> dict:
    made = server.cli("seed-demo")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)


def reader_sign_in(driver, server, reader: dict, identifier_label: str, password_label: str, submit: str) -> None:
    driver.get(server.url("/login"))
    wait_loaded(driver)
    labelled(driver, identifier_label).send_keys(reader["cardNumber"])
    labelled(driver, password_label).send_keys(reader["password"])
    click_and_wait(driver, button(driver, submit))


def no_horizontal_scroll(driver) -> None:
    """At phone width the shared check (which also checks the width); at desktop width only the scroll."""
    width = driver.execute_script("return window.innerWidth")
    if width == 1280:
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    else:
        assert_no_horizontal_scroll(driver)


def publish_new_version(admin, labels: dict, added_zh: str, added_en: str, shot: str) -> None:
    """From the staff navigation to a published version that asks for renewed consent."""
    click_and_wait(admin, link(admin, labels["room"], within=admin.find_element(By.CSS_SELECTOR, "header")))
    click_and_wait(admin, link(admin, labels["document"]))
    labelled(admin, labels["body_zh"]).send_keys("\n\n" + added_zh)
    labelled(admin, labels["body_en"]).send_keys("\n\n" + added_en)
    labelled(admin, labels["renewal"]).click()
    click_and_wait(admin, button(admin, labels["save_and_preview"]))
    # The preview: the reader's page, with the new paragraph, and nothing published yet.
    assert admin.find_element(By.TAG_NAME, "h1").text == labels["reader_heading"]
    main = admin.find_element(By.TAG_NAME, "main").text
    assert added_zh in main or added_en in main, main
    assert labels["draft_notice"] in main, main
    no_horizontal_scroll(admin)
    screenshot(admin, shot + "-preview.png")
    click_and_wait(admin, link(admin, labels["back"]))
    date = labelled(admin, labels["effective"])
    assert date.get_attribute("value"), "today is offered"
    click_and_wait(admin, button(admin, labels["publish"]))
    status = admin.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert status == labels["published"], status
    heading = admin.find_elements(By.CSS_SELECTOR, "section.consent-version h3")[0].text
    assert labels["in_force"] in heading and labels["renewal_mark"] in heading, heading
    no_horizontal_scroll(admin)
    screenshot(admin, shot + "-published.png")


def test_an_admin_publishes_a_renewed_consent_and_a_reader_accepts_it_in_zh_tw_at_phone_width(server, make_driver):
    seeded = demo(server)
    admin_account = next(s for s in seeded["staff"] if s["role"] == "admin")
    reader = seeded["readers"][0]

    admin = make_driver("zh-TW,zh")
    staff_sign_in(admin, server, admin_account, "電子郵件", "密碼", "登入")
    publish_new_version(admin, {
        "room": "同意書管理", "document": "臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明",
        "body_zh": "內文（中文）", "body_en": "內文（英文）", "renewal": "已同意舊版的讀者須重新同意",
        "save_and_preview": "儲存並預覽", "reader_heading": "請閱讀更新後的聲明", "draft_notice": "讀者尚看不到",
        "back": "回到同意書", "effective": "生效日", "publish": "發布", "published": "已發布。已發布的版本永不更動。",
        "in_force": "現行", "renewal_mark": "須重新同意",
    }, "五、本館得因法令修正更新本聲明，並於讀者登入時請讀者重新同意。",
        "5. The Library may update this statement when the law changes, and asks readers to agree again when they sign in.",
        "consent-admin-360")

    me = make_driver("zh-TW,zh")
    reader_sign_in(me, server, reader, "借閱證號或身分證字號", "密碼", "登入")
    assert me.current_url.endswith("/account/renewed-consent"), me.current_url
    assert me.find_element(By.TAG_NAME, "h1").text == "請閱讀更新後的聲明"
    main = me.find_element(By.TAG_NAME, "main").text
    assert "五、本館得因法令修正更新本聲明" in main, main
    assert "不同意即請求您的圖書館註銷借閱證" in main, main
    assert_no_horizontal_scroll(me)
    screenshot(me, "consent-renewal-reader-360.png")
    click_and_wait(me, button(me, "本人已詳閱並同意"))
    assert me.current_url.endswith("/account/home"), me.current_url
    # 我的帳戶 lists the new agreement.
    me.get(server.url("/account"))
    wait_loaded(me)
    assert "臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明" in me.find_element(By.TAG_NAME, "main").text


def test_an_admin_publishes_a_renewed_consent_and_a_reader_accepts_it_in_english_at_desktop_width(server, make_driver):
    seeded = demo(server)
    admin_account = next(s for s in seeded["staff"] if s["role"] == "admin")
    reader = seeded["readers"][1]

    admin = make_driver("en")
    admin.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
    })
    staff_sign_in(admin, server, admin_account, "Email", "Password", "Sign in")
    publish_new_version(admin, {
        "room": "Consent documents", "document": "Taipei Public Library: personal data statement for library card applications",
        "body_zh": "Text (Traditional Chinese)", "body_en": "Text (English)",
        "renewal": "Readers who agreed to an earlier version must agree again",
        "save_and_preview": "Save and preview", "reader_heading": "Please read the updated statement",
        "draft_notice": "readers do not see it yet", "back": "Back to the document", "effective": "In force from",
        "publish": "Publish", "published": "Published. Published versions never change.",
        "in_force": "in force", "renewal_mark": "asks for renewed consent",
    }, "六、讀者可隨時於我的帳戶查閱同意紀錄。", "6. Readers can see their consents in My account at any time.",
        "consent-admin-en-1280")

    me = make_driver("en")
    me.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False,
    })
    reader_sign_in(me, server, reader, "Card number or ID number", "Password", "Sign in")
    assert me.current_url.endswith("/account/renewed-consent"), me.current_url
    assert me.find_element(By.TAG_NAME, "h1").text == "Please read the updated statement"
    main = me.find_element(By.TAG_NAME, "main").text
    assert "6. Readers can see their consents in My account at any time." in main, main
    no_horizontal_scroll(me)
    screenshot(me, "consent-renewal-reader-en-1280.png")
    click_and_wait(me, button(me, "I have read and agree"))
    assert me.current_url.endswith("/account/home"), me.current_url
