"""Helpers for the OneCard browser tests: find things the way a person does (by visible text)."""

from __future__ import annotations

import base64
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
PHONE_WIDTH, PHONE_HEIGHT = 360, 800

def xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in parts) + ")"


def field(driver, label_text: str):
    """The form control labelled by the <label> whose visible text is `label_text`."""
    labels = [l for l in driver.find_elements(By.XPATH, f"//label[normalize-space(.)={xpath_literal(label_text)}]")
              if l.is_displayed()]
    assert len(labels) == 1, f"expected one visible label {label_text!r}, found {len(labels)}"
    target = labels[0].get_attribute("for")
    assert target, f"label {label_text!r} has no for= attribute"
    controls = driver.find_elements(By.ID, target)
    assert len(controls) == 1, f"label {label_text!r} points at #{target}, found {len(controls)} elements"
    assert controls[0].is_displayed(), f"control for {label_text!r} is not visible"
    return controls[0]


def button(driver, text: str):
    found = [b for b in driver.find_elements(
        By.XPATH, f"//button[normalize-space(.)={xpath_literal(text)}] | "
                  f"//input[(@type='submit' or @type='button') and @value={xpath_literal(text)}]")
        if b.is_displayed()]
    assert len(found) == 1, f"expected one visible button {text!r}, found {len(found)}"
    return found[0]


def link(driver, text: str, within=None):
    scope = within if within is not None else driver
    found = [a for a in scope.find_elements(By.XPATH, f".//a[normalize-space(.)={xpath_literal(text)}]")
             if a.is_displayed()]
    assert len(found) >= 1, f"no visible link {text!r}"
    return found[0]


def click_and_wait(driver, element, timeout: float = 15.0) -> None:
    """Click something that loads a new page and wait until the new page has loaded."""
    old_html = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, timeout).until(lambda d: _is_stale(old_html))
    wait_loaded(driver, timeout)


def _is_stale(element) -> bool:
    try:
        element.tag_name
        return False
    except Exception:  # StaleElementReferenceException, or the page is mid-navigation
        return True


def wait_loaded(driver, timeout: float = 15.0) -> None:
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")


def text_of(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def screenshot(driver, name: str) -> Path:
    """Full-page PNG (the whole document at the phone width) in test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(PHONE_WIDTH, int(size["width"]))
    height = max(PHONE_HEIGHT, int(size["height"]))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.stat().st_size > 1000, f"screenshot {path} looks empty"
    return path


def assert_no_horizontal_scroll(driver) -> None:
    scroll_width, inner_width = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert inner_width == PHONE_WIDTH, f"viewport is {inner_width}px wide, expected {PHONE_WIDTH}"
    assert scroll_width <= inner_width, f"page scrolls sideways: scrollWidth {scroll_width} > innerWidth {inner_width}"
    # Also catch content that is cut off without making the page scroll (e.g. overflow: hidden).
    offenders = driver.execute_script("""
        const out = [];
        const vw = window.innerWidth;
        for (const el of document.body.querySelectorAll('*')) {
          if (el.closest('.table-scroll') && !el.classList.contains('table-scroll')) continue; // scrolls on its own
          const cs = getComputedStyle(el);
          if (cs.display === 'none' || cs.visibility === 'hidden') continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          if (r.right < 0) continue;  // deliberately parked off-screen (e.g. the unfocused skip link)
          if (r.right > vw + 0.5 || r.left < -0.5) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
              + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
              + ' [' + Math.round(r.left) + ',' + Math.round(r.right) + ']');
        }
        return out;""")
    assert offenders == [], f"elements stick out of the {PHONE_WIDTH}px viewport: {offenders[:10]}"


def label_name(driver, label) -> str:
    """What a screen reader reads for a <label>: its text without aria-hidden parts (e.g. the red *)."""
    return driver.execute_script("""
        const copy = arguments[0].cloneNode(true);
        for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
        return copy.textContent.replace(/\\s+/g, ' ').trim();""", label)


def labelled(driver, label_text: str, within=None):
    """The control whose visible <label> reads `label_text`, ignoring an aria-hidden required marker (*).

    Labels are first found by "contains" (so `* 姓名` matches 姓名), then kept only when their name without
    the aria-hidden parts is exactly `label_text` (so 密碼 does not also match 再次輸入密碼). `within`
    scopes the search, e.g. to one fieldset when two checkboxes are both labelled 是.
    """
    scope = within if within is not None else driver
    labels = [l for l in scope.find_elements(By.XPATH, f".//label[contains(normalize-space(.), {xpath_literal(label_text)})]")
              if l.is_displayed() and label_name(driver, l) == label_text]
    assert len(labels) == 1, f"expected one visible label {label_text!r}, found {len(labels)}"
    target = labels[0].get_attribute("for")
    assert target, f"label {label_text!r} has no for= attribute"
    controls = driver.find_elements(By.ID, target)
    assert len(controls) == 1, f"label {label_text!r} points at #{target}, found {len(controls)} elements"
    return controls[0]


def fieldset(driver, legend_text: str):
    """The visible <fieldset> whose <legend> reads `legend_text` (aria-hidden parts ignored)."""
    found = [f for f in driver.find_elements(By.XPATH, f"//fieldset[legend[contains(normalize-space(.), {xpath_literal(legend_text)})]]")
             if f.is_displayed() and label_name(driver, f.find_element(By.TAG_NAME, "legend")) == legend_text]
    assert len(found) == 1, f"expected one visible fieldset {legend_text!r}, found {len(found)}"
    return found[0]


def navigation_status(driver) -> int:
    """The HTTP status of the response that produced the current document (Chromium's Navigation Timing)."""
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")


def set_date(driver, element, iso: str) -> None:
    """Fill a date field. The site's date fields are text fields (#17: a date picker cannot take a 民國 year),
    typed into as a person does, with any form the site reads (`1990-05-03`, `79/05/03`, `民國79年5月3日`).

    For an <input type=date>:

    Typing into a date input is locale dependent in Chromium (the segments and their order follow the
    browser's language, zh-TW shows 年/月/日), so first type the digits the way a person would; if the value
    did not come out as `iso`, set it with JavaScript and fire the events a real edit fires.
    (With headless Chromium 156 + chromedriver here, typed keys leave the value empty, with or without the
    mobile emulation, so in practice the JavaScript path is the one taken.)
    """
    if element.get_attribute("type") == "text":
        element.clear()
        element.send_keys(iso)
        assert element.get_attribute("value") == iso
        return
    year, month, day = iso.split("-")
    element.click()
    element.send_keys(year + month + day)
    if element.get_attribute("value") != iso:
        driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", element, iso)
    assert element.get_attribute("value") == iso


# The second factor of reviewers and administrators (issue #14 item 6), as a person with an authenticator
# app does it: the setup key is read from the enrolment page and kept here for the session's later sign-ins.
TOTP_SECRETS: dict[str, str] = {}
_TOTP_LAST_STEP: dict[str, int] = {}
# The visible labels of the code fields and of the link on from the recovery codes, in both languages.
_CODE_LABELS = {"zh": ("App 上的驗證碼", "登入驗證碼", "我已保存備用碼，前往員工首頁", "確認", "繼續"),
                "en": ("Code from the app", "Sign-in code", "I have kept my recovery codes; go to the staff home", "Confirm", "Continue")}


def totp_code(email: str) -> str:
    """The app's code for `email` now, or the next step's when this step's code was used (the server takes one
    step ahead and refuses a code used already); waits for a new step when both were used."""
    import time
    import pyotp
    totp = pyotp.TOTP(TOTP_SECRETS[email])
    while True:
        step = int(time.time()) // 30
        for candidate in (step, step + 1):
            if candidate > _TOTP_LAST_STEP.get(email, -1):
                _TOTP_LAST_STEP[email] = candidate
                return totp.at(candidate * 30)
        time.sleep(1)


def complete_second_factor(driver, email: str) -> list[str]:
    """After the password: enrols (first time) or types the code, as the page asks; returns recovery codes shown."""
    from urllib.parse import urlsplit
    path = urlsplit(driver.current_url).path
    language = "en" if (driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or "").startswith("en") else "zh"
    first_code, sign_in_code, done, confirm, proceed = _CODE_LABELS[language]
    if path == "/staff/login/enrol":
        TOTP_SECRETS[email] = driver.find_element(By.ID, "totp-secret").get_attribute("data-secret")
        _TOTP_LAST_STEP.pop(email, None)
        field(driver, first_code).send_keys(totp_code(email))
        click_and_wait(driver, button(driver, confirm))
        codes = [c.text.strip() for c in driver.find_elements(By.CSS_SELECTOR, "#recovery-codes code")]
        assert len(codes) == 10, driver.find_element(By.TAG_NAME, "main").text
        click_and_wait(driver, link(driver, done))
        return codes
    if path == "/staff/login/code":
        field(driver, sign_in_code).send_keys(totp_code(email))
        click_and_wait(driver, button(driver, proceed))
    return []
