"""網路辦證 end to end in a real browser on a 360 x 800 phone screen.

Walks the seed's section 一 (尚未辦理北市圖借閱證之讀者, /work/shared/seeds/taipei-one-card-service.txt):
步驟一 網路辦證 → 步驟二 the personal-data statements and 本人已詳閱並同意… → 步驟三 the form, with
結合新北市圖借閱證 是 + 本人已詳閱並同意個資同意書 and the 驗證碼 → 步驟四 線上申辦成功 / 確定.
Then the same person applies again (one card per person), and the desk activates the card.

The server runs with ONECARD_CAPTCHA_TEST_ANSWER (see conftest.py), so every captcha image reads 12345.
"""

from __future__ import annotations

import random
import re
import urllib.parse
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser_helpers import (
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    field,
    fieldset,
    labelled,
    link,
    navigation_status,
    screenshot,
    text_of,
    wait_loaded,
    set_date,
)
from conftest import CAPTCHA_TEST_ANSWER

# Letter codes of the national ID checksum (/work/shared/docs/DOMAIN.md).
LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18, "K": 19, "L": 20,
    "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30,
    "Y": 31, "Z": 33,
}
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)

CONSENT_TITLES = ["臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明", "臺北市府單一識別服務個人資料蒐集、處理及利用同意書"]
AGREE = "本人已詳閱並同意上述個人資料使用相關內容"
AGREE_REQUIRED = "請勾選「本人已詳閱並同意上述個人資料使用相關內容」才能繼續。"
CHECKSUM_ERROR = "身分證字號檢查碼錯誤，請再確認一次。"
ALREADY_REGISTERED = "您已辦過借閱證或已有線上申請。"
APPLICATION_NUMBER = re.compile(r"^TPML-\d{6}-[2-9A-HJ-NP-Z]{6}$")

APPLICANT_NAME = "王小明"
APPLICANT_PASSWORD = "我每週六去圖書館借三本書"
# Typed as a 民國 date, as many Taiwanese readers write it (#17); stored as 1990-05-03, shown as 民國79年5月3日.
BIRTH_DATE = "79/05/03"
BIRTH_DATE_SHOWN = "民國79年5月3日"
EASY_CARD = "1234567890123456"
DESK_PASSWORD = "desk counter password 2024"


def id_checksum_ok(id_number: str) -> bool:
    code = LETTER_CODES[id_number[0]]
    digits = [code // 10, code % 10] + [int(c) for c in id_number[1:]]
    return sum(w * d for w, d in zip(WEIGHTS, digits)) % 10 == 0


def make_national_id(rng: random.Random | None = None) -> str:
    """A random, valid ROC national ID: letter, 1 or 2, seven digits, check digit."""
    rng = rng or random.Random()
    letter = rng.choice(sorted(LETTER_CODES))
    body = str(rng.choice((1, 2))) + "".join(str(rng.randrange(10)) for _ in range(7))
    code = LETTER_CODES[letter]
    partial = [code // 10, code % 10] + [int(c) for c in body]
    check = (10 - sum(w * d for w, d in zip(WEIGHTS, partial)) % 10) % 10
    result = f"{letter}{body}{check}"
    assert id_checksum_ok(result)
    return result


def test_national_id_generator_matches_the_documented_examples():
    for good in ("A123456789", "F234567898", "I200000005"):
        assert id_checksum_ok(good), good
    assert not id_checksum_ok("A123456788")
    rng = random.Random(2024)
    for _ in range(200):
        generated = make_national_id(rng)
        assert re.fullmatch(r"[A-Z][12]\d{8}", generated), generated


def luhn_ok(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def main_text(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "main").text


def focused_id(driver) -> str:
    return driver.switch_to.active_element.get_attribute("id") or ""



def assert_captcha_image_shown(driver) -> None:
    image = driver.find_element(By.ID, "captcha-image")
    assert urllib.parse.urlsplit(image.get_attribute("src")).path == "/apply/captcha.png"
    assert image.is_displayed()
    assert (image.get_attribute("alt") or "").strip(), "the captcha image needs a text alternative"
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "const i = document.getElementById('captcha-image'); return i.complete && i.naturalWidth > 0"))


def reload_captcha(driver) -> None:
    """如無法辨識請點此讀取: a new image from the same address, in place; the page is not left, so what was typed stays."""
    image = driver.find_element(By.ID, "captcha-image")
    before = image.get_attribute("src")
    page = driver.current_url
    driver.find_element(By.LINK_TEXT, "如無法辨識請點此讀取").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "captcha-image").get_attribute("src") != before)
    assert driver.current_url == page
    assert urllib.parse.urlsplit(driver.find_element(By.ID, "captcha-image").get_attribute("src")).query
    assert_captcha_image_shown(driver)


def partner_checkbox(driver, partner: str, label_text: str):
    return labelled(driver, label_text, within=fieldset(driver, partner))


def open_form(driver, server):
    """步驟一 and 步驟二: home → 網路辦證 → tick the consent → 確認 → the form."""
    driver.get(server.url("/"))
    wait_loaded(driver)
    click_and_wait(driver, link(driver, "網路辦證", within=driver.find_element(By.CSS_SELECTOR, "main")))
    assert path_of(driver) == "/apply"
    agree = labelled(driver, AGREE)
    if not agree.is_selected():
        labelled_click(driver, AGREE)
    click_and_wait(driver, button(driver, "確認"))
    assert path_of(driver) == "/apply/form"
    assert text_of(driver, "h1") == "網路辦證：填寫個人資料"


def labelled_click(driver, label_text: str, within=None) -> None:
    """Tick a checkbox/radio by tapping its label, the way people do on a phone."""
    scope = within if within is not None else driver
    control = labelled(driver, label_text, within=within)
    label = scope.find_element(By.CSS_SELECTOR, f"label[for='{control.get_attribute('id')}']")
    label.click()


def fill_form(driver, *, id_number: str, name: str = APPLICANT_NAME, password: str = APPLICANT_PASSWORD,
              link_ntpl: bool = True) -> None:
    """步驟三: fill in the personal data by visible labels."""
    card_type = fieldset(driver, "辦證類型")
    labelled_click(driver, "個人證", within=card_type)
    assert labelled(driver, "個人證", within=card_type).is_selected()
    assert not labelled(driver, "家庭證", within=card_type).is_selected()

    kind = Select(labelled(driver, "證號類別"))
    assert [o.text.strip() for o in kind.options] == ["身分證字號", "統一證號／居留證號／入境許可證號", "護照號碼"]
    kind.select_by_visible_text("身分證字號")

    labelled(driver, "證號").clear()
    labelled(driver, "證號").send_keys(id_number)
    # 護照核發國家 is asked for only with a passport number (#17): hidden now, and left empty.
    country = driver.find_element(By.ID, "passportCountry")
    assert not country.is_displayed()
    assert country.get_attribute("value") == ""
    labelled(driver, "姓名").clear()
    labelled(driver, "姓名").send_keys(name)
    gender = fieldset(driver, "性別")
    labelled_click(driver, "男 (Male)", within=gender)
    assert labelled(driver, "男 (Male)", within=gender).is_selected()

    birth = labelled(driver, "出生日期")
    assert birth.get_attribute("type") == "text", "a text field, so a 民國 date can be typed"
    set_date(driver, birth, BIRTH_DATE)

    labelled(driver, "密碼").send_keys(password)
    labelled(driver, "再次輸入密碼").send_keys(password)
    labelled(driver, "行動電話").clear()
    labelled(driver, "行動電話").send_keys("0912345678")
    labelled(driver, "戶籍電話").clear()
    labelled(driver, "戶籍電話").send_keys("02-2755-2823")
    labelled(driver, "電子信箱").clear()
    labelled(driver, "電子信箱").send_keys("reader@example.org")

    ntpl = fieldset(driver, "結合新北市圖借閱證")
    if link_ntpl:
        if not partner_checkbox(driver, "結合新北市圖借閱證", "是").is_selected():
            labelled_click(driver, "是", within=ntpl)
        if not partner_checkbox(driver, "結合新北市圖借閱證", "本人已詳閱並同意個資同意書").is_selected():
            labelled_click(driver, "本人已詳閱並同意個資同意書", within=ntpl)
    assert partner_checkbox(driver, "結合新北市圖借閱證", "是").get_attribute("id") == "linkNTPL"
    assert partner_checkbox(driver, "結合新北市圖借閱證", "本人已詳閱並同意個資同意書").get_attribute("id") == "partnerConsentNTPL"
    assert partner_checkbox(driver, "結合新北市圖借閱證", "是").is_selected() == link_ntpl
    # Keelung is offered the same way, and left alone here.
    assert partner_checkbox(driver, "結合基隆市公共圖書館", "是").get_attribute("id") == "linkKLPL"
    assert partner_checkbox(driver, "結合基隆市公共圖書館", "本人已詳閱並同意個資同意書").get_attribute("id") == "partnerConsentKLPL"
    assert not partner_checkbox(driver, "結合基隆市公共圖書館", "是").is_selected()

    type_captcha(driver)


def type_captcha(driver) -> None:
    assert_captcha_image_shown(driver)
    reload_captcha(driver)
    captcha = labelled(driver, "驗證碼")
    captcha.clear()
    captcha.send_keys(CAPTCHA_TEST_ANSWER)


def test_apply_online_walks_the_seed_steps_and_the_desk_activates(server, driver, make_driver):
    id_number = make_national_id()

    # 步驟一: the home page offers 網路辦證.
    driver.get(server.url("/"))
    wait_loaded(driver)
    apply_link = link(driver, "網路辦證", within=driver.find_element(By.CSS_SELECTOR, "main"))
    assert urllib.parse.urlsplit(apply_link.get_attribute("href")).path == "/apply"
    click_and_wait(driver, apply_link)

    # 步驟二: both statements, the tick box and 確認.
    assert path_of(driver) == "/apply"
    headings = [h.text.strip() for h in driver.find_elements(By.CSS_SELECTOR, "main h2") if h.is_displayed()]
    for title in CONSENT_TITLES:
        assert title in headings, f"consent statement {title!r} missing; headings {headings}"
    agree = labelled(driver, AGREE)
    assert agree.get_attribute("type") == "checkbox"
    assert not agree.is_selected()
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "apply-consent-360.png")

    # 確認 without the tick: an error, focused, and still on /apply.
    click_and_wait(driver, button(driver, "確認"))
    assert path_of(driver) == "/apply"
    summary = driver.find_element(By.ID, "error-summary")
    assert summary.get_attribute("role") == "alert"
    assert AGREE_REQUIRED in summary.text
    WebDriverWait(driver, 5).until(lambda d: focused_id(d) == "error-summary")
    assert labelled(driver, AGREE).get_attribute("aria-invalid") == "true"
    assert navigation_status(driver) == 422
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "apply-consent-error-360.png")

    # With the tick → the form.
    labelled_click(driver, AGREE)
    assert labelled(driver, AGREE).is_selected()
    click_and_wait(driver, button(driver, "確認"))
    assert path_of(driver) == "/apply/form"
    assert text_of(driver, "h1") == "網路辦證：填寫個人資料"
    # Required fields: a red * hidden from screen readers, which hear aria-required instead.
    name_label = driver.find_element(By.CSS_SELECTOR, "label[for='name']")
    star = name_label.find_element(By.CSS_SELECTOR, ".required")
    assert star.text.strip() == "*" and star.get_attribute("aria-hidden") == "true"
    assert labelled(driver, "姓名").get_attribute("aria-required") == "true"
    back = link(driver, "回上一頁")
    assert urllib.parse.urlsplit(back.get_attribute("href")).path == "/apply"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "apply-form-360.png")

    # 步驟三, first with a wrong check digit.
    fill_form(driver, id_number="A123456788")
    click_and_wait(driver, button(driver, "確認"))
    assert path_of(driver) == "/apply/form"
    assert navigation_status(driver) == 422
    summary = driver.find_element(By.ID, "error-summary")
    assert summary.get_attribute("role") == "alert"
    assert CHECKSUM_ERROR in summary.text
    # Focus goes to the first field in error (the seed's wish), which the summary's first link names.
    id_input = labelled(driver, "證號")
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element == id_input)
    assert focused_id(driver) == "idNumber"
    assert id_input.get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "idNumber-error").text.strip() == CHECKSUM_ERROR
    assert "idNumber-error" in (id_input.get_attribute("aria-describedby") or "").split()
    assert urllib.parse.urlsplit(link(driver, CHECKSUM_ERROR, within=summary).get_attribute("href")).fragment == "idNumber"
    # What was typed is kept, except the passwords.
    assert id_input.get_attribute("value") == "A123456788"
    assert labelled(driver, "姓名").get_attribute("value") == APPLICANT_NAME
    assert labelled(driver, "出生日期").get_attribute("value") == BIRTH_DATE
    assert labelled(driver, "男 (Male)", within=fieldset(driver, "性別")).is_selected()
    assert partner_checkbox(driver, "結合新北市圖借閱證", "是").is_selected()
    assert partner_checkbox(driver, "結合新北市圖借閱證", "本人已詳閱並同意個資同意書").is_selected()
    assert labelled(driver, "密碼").get_attribute("value") == ""
    assert labelled(driver, "再次輸入密碼").get_attribute("value") == ""
    # Only the ID number was wrong; the captcha was right but is used up: a new image, and an empty box.
    assert "驗證碼" not in summary.text, summary.text
    assert labelled(driver, "驗證碼").get_attribute("value") == ""
    assert_captcha_image_shown(driver)
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "apply-form-error-360.png")

    # Correct it (a fresh valid ID keeps the test independent), re-type the passwords and the new captcha.
    fill_form(driver, id_number=id_number)
    click_and_wait(driver, button(driver, "確認"))

    # 步驟四: 線上申辦成功.
    assert path_of(driver) == "/apply/done", f"{driver.current_url}: {main_text(driver)[:500]}"
    assert text_of(driver, "h1") == "線上申辦成功"
    number = text_of(driver, "strong.application-number")
    assert APPLICATION_NUMBER.match(number), number
    text = main_text(driver)
    assert "持有效證件，至所屬任一閱覽單位服務臺辦理" in text
    assert "自108年7月1日起，本館不再提供個人借閱證實體卡" in text
    assert id_number not in driver.page_source, "the done page should not repeat the ID number"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "apply-done-360.png")
    click_and_wait(driver, link(driver, "確定"))
    assert path_of(driver) == "/"

    # The same person again, in a new browser: lower case with spaces is the same ID number.
    second = make_driver("zh-TW,zh")
    open_form(second, server)
    spaced = f"{id_number[0].lower()} {id_number[1:5]} {id_number[5:]}"
    fill_form(second, id_number=spaced, name="王 小明")
    click_and_wait(second, button(second, "確認"))
    assert path_of(second) == "/apply/form"
    assert navigation_status(second) == 409
    summary = second.find_element(By.ID, "error-summary")
    assert summary.get_attribute("role") == "alert"
    assert ALREADY_REGISTERED in summary.text
    for next_step in ("以借閱證號或身分證字號登入", "忘記密碼", "服務臺"):
        assert next_step in summary.text, f"{next_step!r} missing from {summary.text!r}"
    WebDriverWait(second, 5).until(lambda d: focused_id(d) == "error-summary")
    assert_no_horizontal_scroll(second)
    screenshot(second, "apply-duplicate-360.png")

    # The desk: a desk account made with the CLI, its password set through the link, signed in.
    desk_email = f"desk-{uuid.uuid4().hex[:8]}@example.org"
    created = server.cli("staff", "create", "--library", "TPML", "--role", "desk", "--email", desk_email)
    assert created.returncode == 0, created.stderr
    desk = make_driver("zh-TW,zh")
    desk.get(created.stdout.strip())
    wait_loaded(desk)
    field(desk, "新密碼").send_keys(DESK_PASSWORD)
    field(desk, "再次輸入新密碼").send_keys(DESK_PASSWORD)
    click_and_wait(desk, button(desk, "設定密碼"))
    assert path_of(desk) == "/staff/login"
    field(desk, "電子郵件").send_keys(desk_email)
    field(desk, "密碼").send_keys(DESK_PASSWORD)
    click_and_wait(desk, button(desk, "登入"))
    assert path_of(desk) == "/staff"

    click_and_wait(desk, link(desk, "查詢線上申請"))
    assert path_of(desk) == "/staff/applications"
    labelled(desk, "身分證字號或申請編號").send_keys(id_number)
    click_and_wait(desk, button(desk, "查詢"))
    results = desk.find_element(By.CSS_SELECTOR, "ul.results")
    assert APPLICANT_NAME in results.text
    assert id_number not in results.text, "the result list should mask the ID number"
    click_and_wait(desk, link(desk, number, within=results))
    assert text_of(desk, "h1") == "申請資料"
    facts = desk.execute_script("""
        const out = {};
        for (const dt of document.querySelectorAll('dl dt')) {
          const dd = dt.nextElementSibling;
          if (dd && dd.tagName === 'DD') out[dt.textContent.trim()] = dd.textContent.trim();
        }
        return out;""")
    assert facts.get("申請編號") == number, facts
    assert facts.get("狀態") == "待臨櫃辦理", facts
    assert facts.get("證號") == id_number, facts
    assert facts.get("姓名") == APPLICANT_NAME, facts
    assert facts.get("出生日期") == BIRTH_DATE_SHOWN, facts
    # The partner service is named after New Taipei (啟用新北市公共圖書館一證通用服務); Keelung was not chosen.
    assert "新北市" in facts.get("結合合作館", ""), facts
    assert "基隆" not in facts.get("結合合作館", ""), facts

    assert_no_horizontal_scroll(desk)
    screenshot(desk, "desk-application-360.png")

    labelled_click(desk, "已核對申請人有效證件，與申請資料相符")
    assert labelled(desk, "已核對申請人有效證件，與申請資料相符").is_selected()
    labelled(desk, "悠遊卡／一卡通卡號（選填）").send_keys(EASY_CARD)
    click_and_wait(desk, button(desk, "開通借閱證"))
    notice = desk.find_element(By.CSS_SELECTOR, ".notice")
    assert notice.get_attribute("role") == "status"
    match = re.fullmatch(r"已開通，借閱證號：(\d+)", notice.text.strip())
    assert match, notice.text
    card_number = match.group(1)
    assert len(card_number) == 13 and card_number.startswith("1001"), card_number
    assert luhn_ok(card_number), f"{card_number}: the last digit should be a Luhn check digit (DOMAIN.md, card numbers)"
    assert text_of(desk, "dd.card-number") == card_number
    assert "已開通" in text_of(desk, "dl.facts")
    assert not desk.find_elements(By.ID, "documentChecked"), "an active card has no activation form"
    assert_no_horizontal_scroll(desk)
    screenshot(desk, "desk-activated-360.png")
