"""Fixtures for the OneCard real-browser tests.

A session-scoped fixture starts `onecard serve` in a fresh temporary data directory on a
free port and creates one staff account with the CLI; the `driver` fixture opens headless
Chromium sized like a phone (360 x 800) with a zh-TW browser language.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from browser_helpers import PHONE_HEIGHT, PHONE_WIDTH, REPO_ROOT

BINARY = Path(os.environ.get("ONECARD_BINARY", str(REPO_ROOT / ".build" / "debug" / "onecard")))
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")

STAFF_EMAIL = "admin@example.org"
# A testing aid the app honours outside production: the captcha image always shows, and accepts, this.
CAPTCHA_TEST_ANSWER = "12345"


@dataclass
class OneCardServer:
    base_url: str
    data_dir: Path
    log_path: Path
    binary: Path
    staff_email: str
    set_password_link: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, ONECARD_DATA_DIR=str(self.data_dir), ONECARD_BASE_URL=self.base_url)
        return subprocess.run([str(self.binary), *args], env=env, capture_output=True, text=True, timeout=120)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_binary(timeout: float = 180.0) -> None:
    """The binary may be mid-rebuild by someone else; give it a little while to appear."""
    deadline = time.monotonic() + timeout
    while not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        if time.monotonic() > deadline:
            pytest.fail(f"OneCard binary not found or not executable: {BINARY} (set ONECARD_BINARY)")
        time.sleep(5)


def _wait_healthy(base_url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"onecard serve exited with {proc.returncode}; log:\n{log_path.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as resp:
                body = json.loads(resp.read().decode("utf-8"))
                if resp.status == 200 and body == {"status": "ok"}:
                    return
                last_error = f"{resp.status} {body!r}"
        except (urllib.error.URLError, ConnectionError, OSError, ValueError) as exc:
            last_error = repr(exc)
        time.sleep(0.25)
    pytest.fail(f"/healthz never answered 200 {{'status':'ok'}} (last: {last_error}); log:\n"
                f"{log_path.read_text(errors='replace')[-4000:]}")


def _start_server(port: int, env: dict, log_file) -> subprocess.Popen:
    """Start `onecard serve`; while the binary is being rewritten by a build, retry for a while."""
    deadline = time.monotonic() + 180
    while True:
        try:
            return subprocess.Popen(
                [str(BINARY), "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                env=env, stdout=log_file, stderr=log_file, stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            if exc.errno != errno.ETXTBSY or time.monotonic() > deadline:
                raise
            time.sleep(5)


@contextmanager
def onecard_server(extra_env: dict | None = None):
    """`onecard serve` on a free port in a fresh data directory, with one admin created by the CLI."""
    _wait_for_binary()
    data_dir = Path(tempfile.mkdtemp(prefix="onecard-browser-"))
    log_path = data_dir / "server.log.jsonl"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ONECARD_DATA_DIR=str(data_dir), ONECARD_CAPTCHA_TEST_ANSWER=CAPTCHA_TEST_ANSWER,
               ONECARD_BASE_URL=base_url, **(extra_env or {}))
    log_file = open(log_path, "wb")
    proc = _start_server(port, env, log_file)
    try:
        _wait_healthy(base_url, proc, log_path)
        srv = OneCardServer(base_url=base_url, data_dir=data_dir, log_path=log_path, binary=BINARY,
                            staff_email=STAFF_EMAIL, set_password_link="")
        created = srv.cli("staff", "create", "--library", "TPML", "--role", "admin", "--email", STAFF_EMAIL)
        assert created.returncode == 0, f"staff create failed ({created.returncode}): {created.stderr}"
        lines = [l for l in created.stdout.splitlines() if l.strip()]
        assert len(lines) == 1, f"expected exactly one line on stdout, got {created.stdout!r}"
        link = lines[0].strip()
        assert link.startswith(base_url + "/staff/password?token="), link
        assert len(link) > len(base_url + "/staff/password?token=") + 20, "token looks too short"
        srv.set_password_link = link
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log_file.close()
        if os.environ.get("ONECARD_KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    with onecard_server() as srv:
        yield srv


def _make_chrome(accept_language: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--window-size={PHONE_WIDTH},{PHONE_HEIGHT}", f"--lang={accept_language.split(',')[0]}",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_window_size(PHONE_WIDTH, PHONE_HEIGHT)
    # Make the layout viewport exactly a phone's, whatever the window decorations are.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 1, "mobile": True,
    })
    # Belt and braces: make sure the Accept-Language header really is what we asked for.
    ua = driver.execute_script("return navigator.userAgent")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": ua, "acceptLanguage": accept_language})
    driver.implicitly_wait(0)
    return driver


@pytest.fixture
def make_driver():
    drivers = []

    def factory(accept_language: str = "zh-TW,zh"):
        d = _make_chrome(accept_language)
        drivers.append(d)
        return d

    yield factory
    for d in drivers:
        d.quit()


@pytest.fixture
def driver(make_driver):
    """A fresh phone-sized browser (new profile, no cookies) whose language is zh-TW."""
    return make_driver("zh-TW,zh")
