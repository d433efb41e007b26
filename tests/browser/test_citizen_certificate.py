"""數位借閱證 with a 自然人憑證, end to end in Chromium on a 360 x 800 phone screen.

The NLPI seed: 「若使用自然人憑證驗證身分，讀卡通過驗證後即開通數位借閱證權限」. The card is reached through
the MOICA card-reader component on the applicant's computer (HiPKI Local Server, 127.0.0.1:61161); here a
stand-in for it (tests/hipki/local_server.py, whose docstring says where its interface comes from) holds a
card made by the tests' own openssl CA, asks for the PIN in its own window and signs with `openssl cms`.
The server trusts that CA and its CRL, as it would trust GRCA/MOICA.
"""

from __future__ import annotations

import random
import socket
import sys
import tempfile
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser_helpers import REPO_ROOT, assert_no_horizontal_scroll, button, click_and_wait, labelled, screenshot, text_of
from conftest import onecard_server
from test_card_application import make_national_id, set_date
from test_digital_card import path_of, start

sys.path.insert(0, str(REPO_ROOT / "tests" / "hipki"))
from local_server import PORT, LocalServer, CertificateAuthority  # noqa: E402

PIN = "246810"
PASSWORD = "我每週六去圖書館借三本書"


@pytest.fixture(scope="module")
def ca():
    return CertificateAuthority(Path(tempfile.mkdtemp(prefix="onecard-moica-")))


@pytest.fixture(scope="module")
def certificate_server(ca):
    with onecard_server({"ONECARD_CITIZEN_CERT_ANCHORS": ca.path("ca.pem"),
                         "ONECARD_CITIZEN_CERT_CRLS": ca.path("ca.crl")}) as srv:
        yield srv


@pytest.fixture
def component(ca):
    certificate, key = ca.card("王小明", f"{random.randrange(1 << 32):08X}")
    server = LocalServer(certificate, key, PIN).start()
    yield server
    server.stop()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def status(driver) -> str:
    return driver.find_element(By.ID, "card-status").text


def wait_status(driver, text: str, timeout: float = 20.0) -> None:
    WebDriverWait(driver, timeout).until(lambda d: text in status(d), f"status never said {text!r}; it says {status(driver)!r}")


def component_window(driver, main: str):
    """Switches to the component's own window once it has opened."""
    WebDriverWait(driver, 15).until(lambda d: len(d.window_handles) == 2, "the component's window did not open")
    driver.switch_to.window(next(h for h in driver.window_handles if h != main))
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "pin").is_displayed())


def enter_pin(driver, main: str, pin: str, shot: str | None = None) -> None:
    component_window(driver, main)
    assert driver.current_url == f"http://127.0.0.1:{PORT}/popupForm"
    driver.find_element(By.ID, "pin").send_keys(pin)
    if shot:
        screenshot(driver, shot)
    driver.find_element(By.XPATH, "//button[normalize-space()='確定']").click()
    driver.switch_to.window(main)


def to_certificate_page(driver, server) -> str:
    id_number = make_national_id(random.Random())
    start(driver, server, id_number)
    assert path_of(driver) == "/digital-card/form"
    click_and_wait(driver, driver.find_element(By.XPATH, "//main//a[contains(normalize-space(), '使用自然人憑證')]"))
    assert path_of(driver) == "/digital-card/certificate"
    assert text_of(driver, "h1") == "使用自然人憑證申請"
    return id_number


def test_the_card_signs_through_the_component_and_the_card_is_active_at_once(certificate_server, component, driver):
    to_certificate_page(driver, certificate_server)
    main = driver.current_window_handle
    wait_status(driver, "已找到讀卡元件")
    assert not driver.find_elements(By.CSS_SELECTOR, "textarea"), "nothing to paste"
    assert not driver.find_elements(By.CSS_SELECTOR, "main input[type=password][id*=pin]"), "OneCard never asks the PIN"
    assert driver.find_element(By.ID, "card-status").get_attribute("aria-live") == "polite"
    assert not driver.find_element(By.ID, "component-missing").is_displayed()

    # Keyboard only: focus the button and press Enter.
    read = button(driver, "讀取自然人憑證")
    driver.execute_script("arguments[0].focus()", read)
    driver.switch_to.active_element.send_keys("\n")
    wait_status(driver, "已讀取「王小明」的自然人憑證")
    assert labelled(driver, "姓名").get_attribute("value") == "王小明", "the name comes from the certificate"
    set_date(driver, labelled(driver, "出生日期"), "1990-05-03")
    labelled(driver, "電子信箱").send_keys("wang@example.org")
    labelled(driver, "密碼").send_keys(PASSWORD)
    labelled(driver, "再次輸入密碼").send_keys(PASSWORD)
    agree = labelled(driver, "本人已詳閱並同意上述個人資料蒐集、處理及利用告知事項")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", agree)
    agree.click()
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "certificate-01-card-read.png")

    # A wrong PIN, reported by the component: the page says so and nothing is posted.
    submit = button(driver, "驗證並開通")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    enter_pin(driver, main, "000000", shot="certificate-02-component-asks-pin.png")
    wait_status(driver, "讀卡元件回報 PIN 碼錯誤")
    assert path_of(driver) == "/digital-card/certificate"
    assert component.signed == []
    driver.execute_script("document.getElementById('card-status').scrollIntoView({block: 'center'})")
    screenshot(driver, "certificate-03-wrong-pin.png")

    button(driver, "驗證並開通").click()
    enter_pin(driver, main, PIN)
    WebDriverWait(driver, 30).until(lambda d: path_of(d) == "/digital-card/done")
    assert len(component.signed) == 1 and len(component.signed[0]) == 64, "the card signed the page's nonce, as hex"
    body = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "您的數位借閱證已開通" in body, body
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "certificate-04-active.png")


def test_without_the_component_the_page_says_how_to_install_it(certificate_server, driver):
    assert port_is_free(PORT), "nothing may listen on the component's port for this test"
    to_certificate_page(driver, certificate_server)
    wait_status(driver, "找不到讀卡元件")
    missing = driver.find_element(By.ID, "component-missing")
    assert missing.is_displayed()
    assert "HiCOS 卡片管理工具" in missing.text
    assert "HiPKILocalSignServer" in missing.text
    documents = driver.find_element(By.XPATH, "//main//a[normalize-space()='沒有讀卡機或元件？改以上傳證件影像申請']")
    assert documents.get_attribute("href").endswith("/digital-card/form")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", missing)
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "certificate-05-no-component.png")
    click_and_wait(driver, documents)
    assert path_of(driver) == "/digital-card/form"


def test_the_install_help_is_in_english_too(certificate_server, make_driver):
    driver = make_driver("en,en-US")
    assert port_is_free(PORT)
    id_number = make_national_id(random.Random())
    driver.get(certificate_server.url("/digital-card?lang=en"))
    labelled(driver, "ID number").send_keys(id_number)
    click_and_wait(driver, button(driver, "Next"))
    driver.get(certificate_server.url("/digital-card/certificate?lang=en"))
    wait_status(driver, "The card-reader component was not found")
    assert "HiCOS Client" in driver.find_element(By.ID, "component-missing").text
    screenshot(driver, "certificate-06-no-component-en.png")
