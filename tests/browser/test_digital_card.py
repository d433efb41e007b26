"""數位借閱證 for an individual, end to end in Chromium on a 360 x 800 phone screen.

The seed's 其他 (/work/shared/seeds/nlpi-digital-card-group.txt): the ID number is checked first (a
foreign resident is told to apply in person), then the form with the ID card front and back as JPEG
files chosen with the file inputs, the personal data notice and its tick box → 申請已送出 with the
date the review is due. A mistake (a text file renamed .jpg) comes back beside its field.
"""

from __future__ import annotations

import io
import random
import urllib.parse
from pathlib import Path

from PIL import Image, ImageDraw
from selenium.webdriver.common.by import By

from browser_helpers import assert_no_horizontal_scroll, button, click_and_wait, labelled, screenshot, text_of, wait_loaded
from test_card_application import make_national_id, set_date

PASSWORD = "我每週六去圖書館借三本書"


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def id_card_picture(directory: Path, name: str) -> Path:
    """A phone photo of an ID card, more or less: a JPEG written by Pillow."""
    image = Image.new("RGB", (1200, 760), (236, 240, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 1160, 720), outline=(30, 60, 90), width=8)
    draw.text((80, 80), name, fill=(0, 0, 0))
    path = directory / name
    image.save(path, "JPEG", quality=85)
    return path


def start(driver, server, id_number: str) -> None:
    driver.get(server.url("/"))
    wait_loaded(driver)
    click_and_wait(driver, driver.find_element(By.XPATH, "//main//a[normalize-space()='數位借閱證']"))
    assert path_of(driver) == "/digital-card"
    assert text_of(driver, "h1") == "數位借閱證"
    assert not driver.find_elements(By.CSS_SELECTOR, "input[type=file]"), "nothing is uploaded before the check"
    box = labelled(driver, "身分證字號")
    box.clear()
    box.send_keys(id_number)
    click_and_wait(driver, button(driver, "下一步"))


def test_a_foreign_resident_is_told_to_apply_in_person(server, driver):
    start(driver, server, "FD12345676")
    assert path_of(driver) == "/digital-card"
    assert "外籍人士無法線上辦理數位借閱證" in driver.find_element(By.CSS_SELECTOR, "#error-summary").text
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "digital-01-foreign-resident.png")


def test_apply_with_id_card_photos_on_a_phone(server, driver, tmp_path):
    id_number = make_national_id(random.Random())
    start(driver, server, id_number)
    assert path_of(driver) == "/digital-card/form"
    assert text_of(driver, "h1") == "數位借閱證：填寫資料並上傳證件"
    assert id_number in driver.find_element(By.CSS_SELECTOR, "main").text

    labelled(driver, "姓名").send_keys("林小華")
    set_date(driver, labelled(driver, "出生日期"), "1995-08-20")
    labelled(driver, "電子信箱").send_keys("hua@example.org")
    labelled(driver, "行動電話").send_keys("0912345678")
    labelled(driver, "密碼").send_keys(PASSWORD)
    labelled(driver, "再次輸入密碼").send_keys(PASSWORD)
    front = id_card_picture(tmp_path, "front.jpg")
    not_a_picture = tmp_path / "back.jpg"
    not_a_picture.write_text("this is not a photo of an ID card")
    labelled(driver, "身分證正面").send_keys(str(front))
    labelled(driver, "身分證反面").send_keys(str(not_a_picture))
    agree = labelled(driver, "本人已詳閱並同意上述個人資料蒐集、處理及利用告知事項")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", agree)
    agree.click()
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "digital-02-form.png")
    click_and_wait(driver, button(driver, "送出申請"))

    # The renamed text file comes back beside its field; the photo has to be chosen again.
    summary = driver.find_element(By.CSS_SELECTOR, "#error-summary").text
    assert "只接受 JPEG、PNG 圖片或 PDF 檔" in summary
    assert driver.find_element(By.ID, "idBack-error").text.startswith("只接受 JPEG、PNG 圖片或 PDF 檔")
    assert labelled(driver, "姓名").get_attribute("value") == "林小華"
    screenshot(driver, "digital-03-refused-file.png")

    labelled(driver, "密碼").send_keys(PASSWORD)
    labelled(driver, "再次輸入密碼").send_keys(PASSWORD)
    labelled(driver, "身分證正面").send_keys(str(front))
    labelled(driver, "身分證反面").send_keys(str(id_card_picture(tmp_path, "back-photo.jpg")))
    click_and_wait(driver, button(driver, "送出申請"))

    assert path_of(driver) == "/digital-card/done"
    assert text_of(driver, "h1") == "申請已送出"
    body = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "前完成審核（3 個工作天" in body
    assert "hua@example.org" in body
    assert_no_horizontal_scroll(driver)
    screenshot(driver, "digital-04-done.png")
