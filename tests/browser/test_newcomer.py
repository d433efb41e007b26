"""What a newcomer trips on (#17), walked in a real browser on a phone.

- The passport path in English: 護照核發國家 is a list of countries by name, shown only with a passport
  number, that keeps its choice on an error and ends on the done page (item 1).
- 停用 a partner library in zh-TW at phone size: a confirmation page that says what will happen, whose
  取消 changes nothing and whose 確定停用 withdraws (item 2).
- Tap targets: on the main reader pages at 412 px, no interactive control is smaller than 24 x 24 CSS px
  (WCAG 2.2 SC 2.5.8), except links inside running text (item 3).

Each test starts its own server: the demo readers and partner links they make stay out of the other files.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser_helpers import (
    PHONE_HEIGHT,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    labelled,
    link,
    navigation_status,
    screenshot,
    text_of,
    wait_loaded,
    set_date,
)
from conftest import CAPTCHA_TEST_ANSWER, onecard_server

MINIMUM_TARGET = 24  # WCAG 2.2 SC 2.5.8 Target Size (Minimum), AA, in CSS px
WIDE_PHONE = 412


@pytest.fixture(scope="module")
def own_server():
    with onecard_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def reader(own_server) -> dict:
    """A demo reader with an active card (`onecard seed-demo`), shared by this file's tests."""
    seeded = own_server.cli("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    return json.loads(seeded.stdout)["readers"][0]


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def sign_in(driver, server, reader) -> None:
    driver.get(server.url("/login"))
    wait_loaded(driver)
    labelled(driver, "借閱證號或身分證字號").send_keys(reader["cardNumber"])
    labelled(driver, "密碼").send_keys(reader["password"])
    click_and_wait(driver, button(driver, "登入"))
    assert path_of(driver) == "/account/home"


def partner_row(driver, name: str):
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table.partners tbody tr")
            if row.find_element(By.CSS_SELECTOR, "th").text.strip() == name]
    assert len(rows) == 1, f"one row for {name}"
    return rows[0]


def status_of(driver, name: str) -> str:
    return partner_row(driver, name).find_element(By.CSS_SELECTOR, "td").text.strip()


# --- item 1: the passport path, in English -------------------------------------------------------------

def test_a_foreign_applicant_chooses_the_passport_country_by_name_in_english(own_server, make_driver):
    driver = make_driver("en")
    driver.get(own_server.url("/apply?lang=en"))
    wait_loaded(driver)
    labelled(driver, "I have read and agree to the use of my personal data described above").click()
    click_and_wait(driver, button(driver, "Confirm"))
    assert path_of(driver) == "/apply/form"

    # With a national ID (the default) the country is not asked for.
    country_field = driver.find_element(By.ID, "passportCountry-field")
    assert not country_field.is_displayed()
    kind = Select(labelled(driver, "Document type"))
    kind.select_by_visible_text("Passport number")
    WebDriverWait(driver, 5).until(lambda d: country_field.is_displayed())
    country = Select(labelled(driver, "Passport issuing country"))
    names = [option.text for option in country.options]
    assert names[0] == "Choose a country"
    assert names.index("Afghanistan") < names.index("Japan") < names.index("Zimbabwe"), "sorted by English name"
    assert "Taiwan" in names
    assert "Only with a passport number: choose the country that issued your passport." in country_field.text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "newcomer-passport-01-country-list-en.png")

    # Everything but the country: the error sits beside the (visible) list, and the summary leads to it.
    labelled(driver, "Document number").send_keys("TR1234567")
    labelled(driver, "Name").send_keys("Yamada Hanako")
    driver.find_element(By.CSS_SELECTOR, "label[for='gender-female']").click()
    set_date(driver, labelled(driver, "Date of birth"), "1995-04-01")
    labelled(driver, "Password").send_keys("cherry blossoms by the river")
    labelled(driver, "Password again").send_keys("cherry blossoms by the river")
    labelled(driver, "Email").send_keys("hanako@example.org")
    labelled(driver, "Verification code").send_keys(CAPTCHA_TEST_ANSWER)
    click_and_wait(driver, button(driver, "Confirm"))
    assert navigation_status(driver) == 422
    summary = driver.find_element(By.ID, "error-summary")
    assert "With a passport number, enter the issuing country." in summary.text
    country_field = driver.find_element(By.ID, "passportCountry-field")
    assert country_field.is_displayed(), "the passport was kept, so the list is shown with its error"
    assert driver.find_element(By.ID, "passportCountry-error").is_displayed()
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element.get_attribute("id") == "passportCountry")
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "newcomer-passport-02-country-missing-en.png")

    # Choose Japan by its name; the next error (a mistyped password) keeps the choice.
    Select(labelled(driver, "Passport issuing country")).select_by_visible_text("Japan")
    labelled(driver, "Password").send_keys("cherry blossoms by the river")
    labelled(driver, "Password again").send_keys("cherry blossoms by the lake")
    captcha = labelled(driver, "Verification code")
    captcha.clear()
    captcha.send_keys(CAPTCHA_TEST_ANSWER)
    click_and_wait(driver, button(driver, "Confirm"))
    assert navigation_status(driver) == 422
    chosen = Select(labelled(driver, "Passport issuing country")).first_selected_option
    assert (chosen.text, chosen.get_attribute("value")) == ("Japan", "JPN")

    labelled(driver, "Password").send_keys("cherry blossoms by the river")
    labelled(driver, "Password again").send_keys("cherry blossoms by the river")
    captcha = labelled(driver, "Verification code")
    captcha.clear()
    captcha.send_keys(CAPTCHA_TEST_ANSWER)
    click_and_wait(driver, button(driver, "Confirm"))
    assert path_of(driver) == "/apply/done", driver.find_element(By.CSS_SELECTOR, "main").text[:500]
    assert text_of(driver, "h1") == "Application received"
    done = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "A confirmation email with your application number and these steps has been sent to hanako@example.org." in done
    assert "Within 30 days, bring a valid ID to any branch desk of Taipei Public Library" in done
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "newcomer-passport-03-done-en.png")


# --- item 2: 停用 asks first, in zh-TW at phone size ------------------------------------------------------

NEW_TAIPEI = "▶ 啟用新北市公共圖書館一證通用服務"


def test_disabling_a_partner_library_asks_first_and_cancel_changes_nothing(own_server, reader, driver):
    sign_in(driver, own_server, reader)
    driver.get(own_server.url("/account/partners"))
    wait_loaded(driver)
    click_and_wait(driver, partner_row(driver, NEW_TAIPEI).find_element(By.XPATH, ".//a[normalize-space()='啟用']"))
    click_and_wait(driver, button(driver, "同意"))
    click_and_wait(driver, link(driver, "確定"))
    assert status_of(driver, NEW_TAIPEI) == "已啟用"

    # 停用 opens the question; nothing has happened yet.
    click_and_wait(driver, partner_row(driver, NEW_TAIPEI).find_element(By.XPATH, ".//a[normalize-space()='停用']"))
    assert path_of(driver) == "/account/partners/NTPL/disable"
    assert text_of(driver, "h1") == "停用合作館服務"
    main = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "確定要停用新北市立圖書館一證通用服務嗎？" in main
    assert "本館會通知新北市立圖書館：您已撤回同意" in main
    assert "您的借閱證將無法在新北市立圖書館使用" in main
    assert "請至「合作館服務」按「啟用」" in main
    confirm, cancel = button(driver, "確定停用"), link(driver, "取消")
    for control in (confirm, cancel):
        assert control.size["height"] >= 44, f"a main action is at least 44 px tall: {control.text} {control.size}"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "newcomer-disable-01-confirm-zh.png")

    click_and_wait(driver, link(driver, "取消"))
    assert path_of(driver) == "/account/partners"
    assert status_of(driver, NEW_TAIPEI) == "已啟用", "取消 changes nothing"

    click_and_wait(driver, partner_row(driver, NEW_TAIPEI).find_element(By.XPATH, ".//a[normalize-space()='停用']"))
    click_and_wait(driver, button(driver, "確定停用"))
    assert path_of(driver) == "/account/partners"
    assert "已停用，您的同意已撤回。" in driver.find_element(By.CSS_SELECTOR, "main").text
    assert status_of(driver, NEW_TAIPEI) == "未啟用"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "newcomer-disable-02-done-zh.png")


# --- item 3: tap targets at 412 px -----------------------------------------------------------------------

# Every visible control, with its box; a link is exempt only as WCAG's "inline" exception: an <a> whose
# parent is running text, i.e. the parent (a p, li, dd, td, span, …) also holds text of its own outside
# the link, so the link's height is set by the line of text around it.
SMALL_TARGETS = """
const minimum = arguments[0];
const running = (a) => {
  const parent = a.parentElement;
  if (!parent) return false;
  for (const node of parent.childNodes) {
    if (node === a) continue;
    if (node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== '') return true;
    if (node.nodeType === Node.ELEMENT_NODE && !node.matches('a, button, input, select, textarea, br')
        && getComputedStyle(node).display.startsWith('inline') && node.textContent.trim() !== '') return true;
  }
  return false;
};
const out = [];
for (const el of document.querySelectorAll('a, button, input, select, textarea, summary, label[for]')) {
  if (el.matches('input[type=hidden]')) continue;
  if (el.closest('[hidden]')) continue;
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') continue;
  const box = el.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) continue;
  if (box.right < 0) continue;  // the skip link, parked off-screen until focused
  if (el.tagName === 'A' && running(el)) continue;
  if (box.width < minimum - 0.01 || box.height < minimum - 0.01) {
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 30)
             + '" ' + box.width.toFixed(1) + 'x' + box.height.toFixed(1));
  }
}
return out;
"""


def wide_phone(driver) -> None:
    driver.set_window_size(WIDE_PHONE, PHONE_HEIGHT)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDE_PHONE, "height": PHONE_HEIGHT, "deviceScaleFactor": 1, "mobile": True,
    })


def small_targets(driver, page: str) -> list[str]:
    wait_loaded(driver)
    assert driver.execute_script("return window.innerWidth") == WIDE_PHONE
    return [f"{page}: {found}" for found in driver.execute_script(SMALL_TARGETS, MINIMUM_TARGET)]


def test_no_control_on_the_main_reader_pages_is_under_24_px_at_412_px(own_server, reader, driver):
    wide_phone(driver)
    found: list[str] = []

    def visit(path: str) -> None:
        driver.get(own_server.url(path))
        found.extend(small_targets(driver, path))

    for path in ["/", "/apply", "/digital-card", "/group-application", "/login", "/login/forgot"]:
        visit(path)
    # 網路辦證: the form, the form with its error summary, and 線上申辦成功.
    driver.get(own_server.url("/apply"))
    wait_loaded(driver)
    labelled(driver, "本人已詳閱並同意上述個人資料使用相關內容").click()
    click_and_wait(driver, button(driver, "確認"))
    found.extend(small_targets(driver, "/apply/form"))
    click_and_wait(driver, button(driver, "確認"))
    assert driver.find_element(By.ID, "error-summary").is_displayed()
    found.extend(small_targets(driver, "/apply/form (errors)"))
    screenshot(driver, "newcomer-targets-form-errors-412.png")

    # The reader's own pages.
    sign_in(driver, own_server, reader)
    found.extend(small_targets(driver, "/account/home"))
    for path in ["/account", "/account/partners", "/account/partners/NTPL", "/account/partners/NTPL/disable",
                 "/account/card", "/account/contact", "/account/password"]:
        visit(path)
    driver.get(own_server.url("/account"))
    screenshot(driver, "newcomer-targets-account-412.png")
    assert found == [], "controls under 24x24 CSS px:\n" + "\n".join(found)


def test_the_partner_table_reads_on_a_360_px_phone(own_server, reader, driver):
    sign_in(driver, own_server, reader)
    driver.get(own_server.url("/account/partners"))
    wait_loaded(driver)
    for row in driver.find_elements(By.CSS_SELECTOR, "table.partners tbody tr"):
        status = row.find_element(By.CSS_SELECTOR, "td")
        # One line of status text, not one character per line: the text's own box (the cell itself is as
        # tall as the row) is less than two lines high.
        text_height, line_height = driver.execute_script("""
            const range = document.createRange();
            range.selectNodeContents(arguments[0]);
            return [range.getBoundingClientRect().height, parseFloat(getComputedStyle(arguments[0]).lineHeight)];""", status)
        assert text_height < 2 * line_height, f"{status.text!r} wraps: {text_height}px for lines of {line_height}px"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "newcomer-partners-360.png")
