"""End-to-end tests in a real (headless Chromium) browser on a 360 x 800 phone screen.

Forms are filled in the way a person does: the control is found by its visible label,
text is typed with send_keys, and buttons/links are clicked by their visible text.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from browser_helpers import (
    complete_second_factor,
    ARTIFACTS,
    PHONE_WIDTH,
    assert_no_horizontal_scroll,
    button,
    click_and_wait,
    field,
    link,
    screenshot,
    text_of,
    wait_loaded,
)

SERVICES_ZH = {"網路辦證": "/apply", "數位借閱證": "/digital-card", "集體辦證": "/group-application", "登入": "/login"}
SERVICES_EN = {"Apply online": "/apply", "Digital library card": "/digital-card",
               "Group applications": "/group-application", "Sign in": "/login"}
LIBRARIES_ZH = ["臺北市立圖書館", "新北市立圖書館", "基隆市公共圖書館", "新竹縣公共圖書館", "國立公共資訊圖書館", "臺中市立圖書館"]
LIBRARIES_EN = ["Taipei Public Library", "New Taipei City Library", "Keelung City Public Library",
                "Hsinchu County Public Library", "National Library of Public Information", "Taichung Public Library"]

GOOD_PASSWORD = "correct horse battery staple"


def html_lang(driver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def links_in(container) -> dict[str, str]:
    """Visible link text -> path, for the links inside `container`."""
    out = {}
    for a in container.find_elements(By.TAG_NAME, "a"):
        if a.is_displayed() and a.text.strip():
            out[a.text.strip()] = urllib.parse.urlsplit(a.get_attribute("href")).path
    return out


def assert_home_page(driver, *, h1: str, services: dict[str, str], libraries: list[str], lang_prefix: str) -> None:
    assert text_of(driver, "h1") == h1
    assert driver.title.startswith(h1), f"title {driver.title!r} should start with the h1"
    assert html_lang(driver).lower().startswith(lang_prefix), f"<html lang={html_lang(driver)!r}>"
    main = driver.find_element(By.CSS_SELECTOR, "main#main")
    # The service list in the page body links every service...
    service_links = links_in(main)
    for text, href in services.items():
        assert service_links.get(text) == href, f"service link {text!r} -> {href} missing; found {service_links}"
    # ...and so does the header navigation.
    nav_links = links_in(driver.find_element(By.CSS_SELECTOR, "header nav"))
    for text, href in services.items():
        assert nav_links.get(text) == href, f"nav link {text!r} -> {href} missing; found {nav_links}"
    library_names = [h.text.strip() for h in main.find_elements(By.CSS_SELECTOR, "section h3") if h.is_displayed()]
    for name in libraries:
        assert name in library_names, f"library {name!r} not listed; found {library_names}"


def test_home_page_on_a_phone_in_chinese(server, driver):
    driver.get(server.url("/"))
    wait_loaded(driver)

    assert_home_page(driver, h1="一證通：公共圖書館借閱證", services=SERVICES_ZH, libraries=LIBRARIES_ZH, lang_prefix="zh")
    assert "一證通" in driver.title

    # Landmarks a screen-reader user navigates by.
    assert len(driver.find_elements(By.CSS_SELECTOR, "header")) == 1
    nav = driver.find_element(By.CSS_SELECTOR, "header nav")
    assert (nav.get_attribute("aria-label") or "").strip(), "the navigation needs an aria-label"
    assert len(driver.find_elements(By.CSS_SELECTOR, "main#main")) == 1
    assert len(driver.find_elements(By.CSS_SELECTOR, "footer")) == 1
    assert link(driver, "English", within=nav).get_attribute("lang") == "en"

    # Every link a person taps should be at least 44 px tall (WCAG 2.5.5 target size) in the nav.
    small = [a.text for a in nav.find_elements(By.TAG_NAME, "a") if a.size["height"] < 44]
    assert small == [], f"nav links smaller than 44px: {small}"

    assert_no_horizontal_scroll(driver)
    screenshot(driver, "home-zh-360.png")


def test_language_switch_is_remembered_for_the_session(server, driver):
    driver.get(server.url("/"))
    wait_loaded(driver)
    assert html_lang(driver).lower().startswith("zh")

    click_and_wait(driver, link(driver, "English"))
    assert_home_page(driver, h1="OneCard: one library card for the public libraries",
                     services=SERVICES_EN, libraries=LIBRARIES_EN, lang_prefix="en")
    assert html_lang(driver).lower() == "en" or html_lang(driver).lower().startswith("en-")
    assert driver.find_element(By.CSS_SELECTOR, ".skip-link").get_attribute("textContent").strip() == "Skip to main content"
    nav = driver.find_element(By.CSS_SELECTOR, "header nav")
    assert "中文" in links_in(nav), "English pages should offer a link back to Chinese"
    assert "English" not in links_in(nav)

    # Same browser session, no ?lang: the choice sticks.
    driver.get(server.url("/"))
    wait_loaded(driver)
    assert urllib.parse.urlsplit(driver.current_url).query == ""
    assert_home_page(driver, h1="OneCard: one library card for the public libraries",
                     services=SERVICES_EN, libraries=LIBRARIES_EN, lang_prefix="en")
    # ...also on other pages.
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    assert html_lang(driver).lower().startswith("en")
    assert field(driver, "Email").get_attribute("type") == "email"
    assert field(driver, "Password").get_attribute("type") == "password"
    button(driver, "Sign in")

    driver.get(server.url("/"))
    wait_loaded(driver)
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "home-en-360.png")

    click_and_wait(driver, link(driver, "中文"))
    assert_home_page(driver, h1="一證通：公共圖書館借閱證", services=SERVICES_ZH, libraries=LIBRARIES_ZH, lang_prefix="zh")
    driver.get(server.url("/"))
    wait_loaded(driver)
    assert text_of(driver, "h1") == "一證通：公共圖書館借閱證", "switching back to Chinese should stick too"


def test_english_browser_gets_english_without_asking(server, make_driver):
    driver = make_driver("en-GB,en")
    driver.get(server.url("/"))
    wait_loaded(driver)
    assert_home_page(driver, h1="OneCard: one library card for the public libraries",
                     services=SERVICES_EN, libraries=LIBRARIES_EN, lang_prefix="en")
    assert "中文" in links_in(driver.find_element(By.CSS_SELECTOR, "header nav"))


def test_first_tab_reaches_the_skip_link_and_it_works(server, driver):
    driver.get(server.url("/"))
    wait_loaded(driver)
    active_before = driver.execute_script("return document.activeElement.tagName")
    assert active_before == "BODY"

    ActionChains(driver).send_keys(Keys.TAB).perform()
    focused = driver.switch_to.active_element
    assert focused.tag_name == "a"
    assert focused.text.strip() == "跳到主要內容"
    assert urllib.parse.urlsplit(focused.get_attribute("href")).fragment == "main"

    # It is actually on screen now, and has a visible focus indicator.
    rect = driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                 "return [r.left, r.top, r.right, r.bottom];", focused)
    assert rect[0] >= 0 and rect[1] >= 0 and rect[2] <= PHONE_WIDTH and rect[3] <= 800, f"skip link at {rect}"
    assert focused.is_displayed()
    outline = driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.boxShadow];", focused)
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus outline: {outline}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / "skip-link-focus-360.png"))  # the viewport, focus shown

    # Activating it moves focus to the main content.
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 5).until(lambda d: d.execute_script("return document.activeElement.id") == "main")

    # The next Tab goes into the main content (the first service link), not back to the header.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    in_main = driver.execute_script("return document.getElementById('main').contains(document.activeElement)")
    assert in_main, "after the skip link, Tab should continue inside <main>"


def test_staff_password_setup_sign_in_audit_and_sign_out(server, driver):
    email = server.staff_email

    # 1. The one-time link from the CLI opens the set-password page.
    driver.get(server.set_password_link)
    wait_loaded(driver)
    assert text_of(driver, "h1") == "設定密碼"
    assert email in driver.find_element(By.TAG_NAME, "main").text
    assert not driver.find_elements(By.ID, "error-summary")

    # 2. Too short.
    field(driver, "新密碼").send_keys("short")
    field(driver, "再次輸入新密碼").send_keys("short")
    click_and_wait(driver, button(driver, "設定密碼"))
    summary = driver.find_element(By.ID, "error-summary")
    assert summary.get_attribute("role") == "alert"
    assert "密碼至少需要 12 個字元。" in summary.text
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element.get_attribute("id") == "error-summary")
    new_pw = field(driver, "新密碼")
    assert new_pw.get_attribute("aria-invalid") == "true"
    described = (new_pw.get_attribute("aria-describedby") or "").split()
    assert "password-error" in described
    assert driver.find_element(By.ID, "password-error").text.strip() == "密碼至少需要 12 個字元。"
    assert new_pw.get_attribute("value") == "", "a rejected password must not be echoed back into the page"
    assert field(driver, "再次輸入新密碼").get_attribute("aria-invalid") in (None, "", "false")
    # The error summary link jumps to the field.
    assert urllib.parse.urlsplit(link(driver, "密碼至少需要 12 個字元。", within=summary)
                                 .get_attribute("href")).fragment == "password"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-password-error-360.png")

    # 3. The email address itself is not allowed.
    field(driver, "新密碼").send_keys(email)
    field(driver, "再次輸入新密碼").send_keys(email)
    click_and_wait(driver, button(driver, "設定密碼"))
    assert "密碼不可與電子郵件相同。" in driver.find_element(By.ID, "error-summary").text
    assert field(driver, "新密碼").get_attribute("aria-invalid") == "true"

    # 4. Long enough, but the confirmation does not match.
    field(driver, "新密碼").send_keys(GOOD_PASSWORD)
    field(driver, "再次輸入新密碼").send_keys(GOOD_PASSWORD + "s")
    click_and_wait(driver, button(driver, "設定密碼"))
    summary = driver.find_element(By.ID, "error-summary")
    assert "兩次輸入的密碼不一致。" in summary.text
    assert "密碼至少需要 12 個字元。" not in summary.text
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element.get_attribute("id") == "error-summary")
    assert field(driver, "再次輸入新密碼").get_attribute("aria-invalid") == "true"
    assert field(driver, "新密碼").get_attribute("aria-invalid") in (None, "", "false")
    assert driver.find_element(By.ID, "passwordConfirmation-error").text.strip() == "兩次輸入的密碼不一致。"

    # 5. A good password → the sign-in page with a notice.
    field(driver, "新密碼").send_keys(GOOD_PASSWORD)
    field(driver, "再次輸入新密碼").send_keys(GOOD_PASSWORD)
    click_and_wait(driver, button(driver, "設定密碼"))
    assert path_of(driver) == "/staff/login"
    notice = driver.find_element(By.CSS_SELECTOR, ".notice")
    assert notice.text.strip() == "密碼已設定，請登入。"
    assert notice.get_attribute("role") == "status"

    # 6. Wrong password → one generic message, the email kept, the password field empty.
    field(driver, "電子郵件").send_keys(email)
    field(driver, "密碼").send_keys("not the right password")
    click_and_wait(driver, button(driver, "登入"))
    assert path_of(driver) == "/staff/login"
    summary = driver.find_element(By.ID, "error-summary")
    assert "電子郵件或密碼不正確。" in summary.text
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element.get_attribute("id") == "error-summary")
    assert field(driver, "電子郵件").get_attribute("value") == email
    assert field(driver, "密碼").get_attribute("value") == ""
    assert "密碼已設定" not in driver.find_element(By.TAG_NAME, "main").text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-signin-error-360.png")

    # 7. Right password → (an administrator: the second factor's enrolment, issue #14 item 6) → staff home.
    field(driver, "密碼").send_keys(GOOD_PASSWORD)
    click_and_wait(driver, button(driver, "登入"))
    assert path_of(driver) == "/staff/login/enrol"
    assert len(complete_second_factor(driver, email)) == 10
    assert path_of(driver) == "/staff"
    assert text_of(driver, "h1") == "員工首頁"
    facts = driver.execute_script("""
        const out = {};
        for (const dt of document.querySelectorAll('dl dt')) {
          const dd = dt.nextElementSibling;
          if (dd && dd.tagName === 'DD') out[dt.textContent.trim()] = dd.textContent.trim();
        }
        return out;""")
    assert facts.get("帳號") == email, facts
    assert facts.get("職務") == "系統管理員", facts
    assert facts.get("所屬圖書館") == "臺北市立圖書館", facts
    button(driver, "登出")
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-home-360.png")

    # 8. The audit trail records what just happened.
    click_and_wait(driver, link(driver, "稽核紀錄"))
    assert path_of(driver) == "/staff/audit"
    assert text_of(driver, "h1") == "稽核紀錄"
    headers = [th.get_attribute("textContent").strip() for th in driver.find_elements(By.CSS_SELECTOR, "table thead th")]
    assert "動作" in headers, headers
    action_col = headers.index("動作")
    actions = [row.find_elements(By.TAG_NAME, "td")[action_col].get_attribute("textContent").strip()
               for row in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    # In words (issue #14 item 5), each row still carrying its code.
    codes = [row.get_attribute("data-action") for row in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    for code, words in (("staff.created", "建立員工帳號"), ("staff.password_set", "員工設定密碼"),
                        ("staff.sign_in_failed", "員工登入失敗"), ("staff.signed_in", "員工登入")):
        assert words in actions, f"{words} missing from the audit trail: {actions}"
        assert code in codes, f"{code} missing from the audit trail: {codes}"
    # The second factor (issue #14 item 6) is completed after the password, so it is the newest entry.
    assert codes[0] == "staff.second_factor_enrolled", f"newest first: {codes}"
    assert codes[1] == "staff.signed_in", f"newest first: {codes}"
    assert actions[1] == "員工登入", f"newest first: {actions}"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-audit-360.png")

    # 9. Sign out → back at sign-in, and the staff pages are closed again.
    click_and_wait(driver, link(driver, "員工首頁"))
    click_and_wait(driver, button(driver, "登出"))
    assert path_of(driver) == "/staff/login"
    field(driver, "電子郵件")
    button(driver, "登入")
    driver.get(server.url("/staff"))
    wait_loaded(driver)
    assert text_of(driver, "h1") != "員工首頁"
    assert email not in driver.find_element(By.TAG_NAME, "main").text

    # 10. The one-time link cannot be used twice.
    driver.get(server.set_password_link)
    wait_loaded(driver)
    main_text = driver.find_element(By.TAG_NAME, "main").text
    assert "此設定密碼連結無效或已過期" in main_text
    assert not driver.find_elements(By.ID, "password"), "no password form on a used link"
    assert "410" in main_text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "staff-link-used-360.png")
    assert http_status(server.set_password_link) == 410


def test_staff_sign_in_in_english_with_unknown_account(server, make_driver):
    driver = make_driver("en-US,en")
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    assert html_lang(driver).lower().startswith("en")
    field(driver, "Email").send_keys("nobody@example.org")
    field(driver, "Password").send_keys("whatever password 1")
    click_and_wait(driver, button(driver, "Sign in"))
    assert "The email address or password is not correct." in driver.find_element(By.ID, "error-summary").text
    assert field(driver, "Email").get_attribute("value") == "nobody@example.org"
    assert field(driver, "Password").get_attribute("value") == ""


def test_set_password_errors_in_english(server, make_driver):
    created = server.cli("staff", "create", "--library", "TPML", "--role", "desk", "--email", "desk@example.org")
    assert created.returncode == 0, created.stderr
    link_url = created.stdout.strip()
    driver = make_driver("en-US,en")
    driver.get(link_url)
    wait_loaded(driver)
    assert text_of(driver, "h1") == "Set your password"
    field(driver, "New password").send_keys("too short")
    field(driver, "New password again").send_keys("too short")
    click_and_wait(driver, button(driver, "Set password"))
    assert "The password needs at least 12 characters." in driver.find_element(By.ID, "error-summary").text
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element.get_attribute("id") == "error-summary")
    assert field(driver, "New password").get_attribute("aria-invalid") == "true"


def test_switching_language_on_the_set_password_page_keeps_the_link(server, driver):
    created = server.cli("staff", "create", "--library", "TPML", "--role", "reviewer", "--email", "reviewer@example.org")
    assert created.returncode == 0, created.stderr
    driver.get(created.stdout.strip())
    wait_loaded(driver)
    assert text_of(driver, "h1") == "設定密碼"
    click_and_wait(driver, link(driver, "English"))
    assert html_lang(driver).lower().startswith("en")
    # The person is still on their own set-password form, now in English (the token must survive).
    assert text_of(driver, "h1") == "Set your password", (
        f"after switching language at {driver.current_url}: h1 {text_of(driver, 'h1')!r}")
    assert "reviewer@example.org" in driver.find_element(By.TAG_NAME, "main").text
    field(driver, "New password")


def test_staff_create_rejects_unknown_library(server):
    result = server.cli("staff", "create", "--library", "NOPE", "--role", "admin", "--email", "x@example.org")
    assert result.returncode == 1
    assert result.stdout.strip() == ""
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")


def test_not_found_page_in_chinese(server, driver):
    driver.get(server.url("/no-such-page/here"))
    wait_loaded(driver)
    assert html_lang(driver).lower().startswith("zh")
    assert text_of(driver, "h1") == "找不到網頁"
    assert "找不到網頁" in driver.title
    main_text = driver.find_element(By.TAG_NAME, "main").text
    assert "404" in main_text
    # The site chrome is still there, so the visitor can carry on.
    assert links_in(driver.find_element(By.CSS_SELECTOR, "header nav")).get("網路辦證") == "/apply"
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "not-found-zh-360.png")
    click_and_wait(driver, link(driver, "回首頁"))
    assert path_of(driver) == "/"
    assert text_of(driver, "h1") == "一證通：公共圖書館借閱證"
    assert http_status(server.url("/no-such-page/here")) == 404


def http_status(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept": "text/html", "Accept-Language": "zh-TW"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# WCAG 2.1 AA 1.4.3: text contrast at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
# Every element with its own visible text is measured against the background it is drawn on
# (background colours of its ancestors composited over white).
CONTRAST_SCRIPT = r"""
function parse(s) {
  const m = s.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(x => x).map(parseFloat);
  return {rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1};
}
function luminance(rgb) {
  const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let rgb = [255, 255, 255];
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    rgb = rgb.map((v, k) => l.rgb[k] * l.a + v * (1 - l.a));
  }
  return rgb;
}
const failures = [];
let measured = 0;
for (const el of document.body.querySelectorAll('*')) {
  const own = Array.from(el.childNodes).filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim()).join(' ');
  if (!own) continue;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none' || el.getClientRects().length === 0) continue;
  const rect = el.getBoundingClientRect();
  if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden, for screen readers only
  const bg = background(el);
  const fg = parse(style.color);
  const text = fg.rgb.map((v, k) => v * fg.a + bg[k] * (1 - fg.a));
  const [hi, lo] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const needed = (size >= 24 || (size >= 18.66 && bold)) ? 3 : 4.5;
  measured++;
  if (ratio < needed) failures.push(`${el.tagName.toLowerCase()} "${own.slice(0, 40)}": ${ratio.toFixed(2)} < ${needed}`);
}
return {measured: measured, failures: failures};
"""


def assert_text_contrast(driver, page: str) -> None:
    result = driver.execute_script(CONTRAST_SCRIPT)
    assert result["measured"] >= 5, f"{page}: too little text measured ({result['measured']}); the check itself is broken"
    assert result["failures"] == [], f"{page}: text below WCAG AA contrast: {result['failures']}"


def test_text_contrast_meets_wcag_aa_on_the_main_pages(server, driver):
    for path in ["/", "/apply", "/digital-card", "/group-application", "/login", "/staff/login", "/no-such-page"]:
        driver.get(server.url(path))
        wait_loaded(driver)
        assert_text_contrast(driver, path)
    # Error messages are text too: the staff sign-in form with nothing filled in.
    driver.get(server.url("/staff/login"))
    wait_loaded(driver)
    click_and_wait(driver, button(driver, "登入"))
    assert driver.find_elements(By.CSS_SELECTOR, ".field-error, .error-summary, [role=alert]"), "an error is shown"
    assert_text_contrast(driver, "/staff/login with errors")
