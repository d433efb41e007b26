"""A stand-in for the MOICA card-reader component, HiPKI Local Server (中華電信「跨平台網頁元件」), for tests.

It answers the requests the real component answers on http://127.0.0.1:61161, with a card made by the
tests' own openssl CA instead of a 自然人憑證 in a reader.

Where the interface comes from: the component's public sample code (the MOICA/HiPKI "HiPKILocalSignServer"
samples that government sites and public GitHub repositories reproduce, e.g. their `makeSignature()`,
`getTbsPackage()`, `receiveMessage()`, `MajorErrorReason()`/`MinorErrorReason()` functions):

- `GET /` answers while the component runs (its page names the version, `version:1.3.4.…`).
- The component sends no CORS headers, so a web page uses `GET /popupForm`: a small window of the component
  that posts `{"func":"getTbs"}` to its opener, receives one request by postMessage, runs it against its own
  endpoints, posts the raw answer back and closes itself.
- `{"func":"GetUserCert"}` → `GET /pkcs11info?withcert=true` → `{"func":"pkcs11info","ret_code":0,
  "slots":[{"slotDescription":…,"token":{"serialNumber":…,"certs":[{"label","usage","subjectDN",
  "subjectID","certb64"}]}}]}`; the signing certificate is the one with `usage` `digitalSignature`.
- `{"func":"MakeSignature","signatureType":"PKCS7","tbs":…,"tbsEncoding":"NONE"|"base64",
  "hashAlgorithm":"SHA256",…}` → `POST /sign` with the form field `tbsPackage` (that JSON) →
  `{"func":"sign","ret_code":0,"signature":<base64 PKCS#7 SignedData>}`.
- Errors: `ret_code` 0x76100006 (IC卡登入失敗) with `last_error` 0xA0 (PIN碼錯誤) for a wrong PIN,
  0x76000999 (使用者已取消動作) when cancelled, 0x76000006 (未插入IC卡) without a card.

One assumption: sample pages pass the PIN inside the signing request. OneCard never asks for the PIN, so
its request carries none; this stand-in then asks for the PIN in its own window, as the issue requires
(whether the real component does that when `pin` is absent is not confirmed by its public documentation).

The signature is made with `openssl cms -sign` (enveloping, SHA-256, signed attributes, the card's
certificate included), as PKCS#7 card middleware makes it.

Run alone: `python3 tests/hipki/local_server.py --certificate card.pem --key card.key --pin 123456`.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORT = 61161
VERSION = "1.3.4.103349"
WRONG_PIN = (0x76100006, 0xA0)
CANCELLED = 0x76000999
NO_CARD = 0x76000006

POPUP_FORM = """<!DOCTYPE html>
<html lang="zh-Hant">
<head><meta charset="utf-8"><title>HiPKI Local Server</title></head>
<body>
<form id="pin-form" hidden>
  <p>HiPKI 跨平台網頁元件（測試替身）</p>
  <label for="pin">PIN 碼</label>
  <input id="pin" type="password" autocomplete="off">
  <button type="submit">確定</button>
  <button type="button" id="cancel">取消</button>
</form>
<script>
var request = null;
function reply(text) { window.opener.postMessage(text, "*"); window.close(); }
function send(method, url, body) {
  var xhr = new XMLHttpRequest();
  xhr.open(method, url);
  if (body) { xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded"); }
  xhr.onload = function () { reply(xhr.responseText); };
  xhr.send(body || null);
}
function sign(pin) {
  request.pin = pin;
  send("POST", "/sign", "tbsPackage=" + encodeURIComponent(JSON.stringify(request)));
}
window.addEventListener("message", function (event) {
  if (request) { return; }
  try { request = JSON.parse(event.data); } catch (e) { return; }
  if (request.func === "GetUserCert") {
    send("GET", "/pkcs11info?withcert=true");
  } else if (request.func === "MakeSignature") {
    if (request.pin) { sign(request.pin); return; }
    document.getElementById("pin-form").hidden = false;
    document.getElementById("pin").focus();
  } else {
    reply(JSON.stringify({ func: request.func, ret_code: 0x7600000E }));
  }
});
document.getElementById("pin-form").addEventListener("submit", function (event) {
  event.preventDefault();
  sign(document.getElementById("pin").value);
});
document.getElementById("cancel").addEventListener("click", function () {
  reply(JSON.stringify({ func: "sign", ret_code: 0x76000999 }));
});
window.opener.postMessage(JSON.stringify({ func: "getTbs" }), "*");
</script>
</body>
</html>
"""


class CertificateAuthority:
    """A root CA (standing in for GRCA/MOICA), card certificates it signs, and its CRL; openssl CLI."""

    def __init__(self, directory: Path, name: str = "Test MOICA"):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "index.txt").write_text("")
        (directory / "crlnumber").write_text("01\n")
        (directory / "ca.cnf").write_text(f"""[ ca ]
default_ca = test
[ test ]
database = {directory}/index.txt
crlnumber = {directory}/crlnumber
default_md = sha256
default_crl_days = 30
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
""")
        self.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.path("ca.key"),
                     "-out", self.path("ca.pem"), "-days", "3650", "-subj", f"/C=TW/O=Test/CN={name}", "-utf8",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self.crl()

    def path(self, name: str) -> str:
        return str(self.directory / name)

    def openssl(self, *arguments: str) -> bytes:
        return subprocess.run(["openssl", *arguments], check=True, capture_output=True).stdout

    def crl(self) -> None:
        self.openssl("ca", "-config", self.path("ca.cnf"), "-gencrl", "-keyfile", self.path("ca.key"),
                     "-cert", self.path("ca.pem"), "-out", self.path("ca.crl"))

    def card(self, holder: str, serial: str) -> tuple[str, str]:
        """A signing certificate for `holder`; returns the paths of its PEM certificate and key."""
        key, csr, certificate = self.path(f"{serial}.key"), self.path(f"{serial}.csr"), self.path(f"{serial}.pem")
        self.openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                     "-subj", f"/C=TW/CN={holder}", "-utf8")
        self.openssl("x509", "-req", "-in", csr, "-CA", self.path("ca.pem"), "-CAkey", self.path("ca.key"),
                     "-set_serial", f"0x{serial}", "-days", "365", "-extfile", self.path("ca.cnf"),
                     "-extensions", "leaf", "-out", certificate)
        return certificate, key


class LocalServer:
    """The stand-in on 127.0.0.1:61161 (the address OneCard's page uses), for one card and its PIN."""

    def __init__(self, certificate: str, key: str, pin: str, port: int = PORT):
        self.certificate, self.key, self.pin = certificate, key, pin
        self.port = port
        self.signed: list[str] = []
        self.work = Path(tempfile.mkdtemp(prefix="hipki-"))
        der = subprocess.run(["openssl", "x509", "-in", certificate, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.certb64 = base64.b64encode(der).decode()
        subject = subprocess.run(["openssl", "x509", "-in", certificate, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"],
                                 check=True, capture_output=True, text=True).stdout
        self.subject_dn = subject.strip().removeprefix("subject=").strip()
        self.httpd: ThreadingHTTPServer | None = None

    def pkcs11info(self) -> dict:
        return {"func": "pkcs11info", "ret_code": 0, "version": VERSION, "slots": [{
            "slotDescription": "OneCard Test Reader 0",
            "token": {"serialNumber": "TP03000000000001", "label": "HiCOS PKI Smart Card", "certs": [{
                "label": "cert2", "usage": "digitalSignature", "subjectDN": self.subject_dn,
                "subjectID": "", "certb64": self.certb64,
            }]},
        }]}

    def sign(self, package: dict) -> dict:
        if package.get("pin") != self.pin:
            return {"func": "sign", "ret_code": WRONG_PIN[0], "last_error": WRONG_PIN[1]}
        tbs = package.get("tbs", "")
        content = base64.b64decode(tbs) if package.get("tbsEncoding") == "base64" else tbs.encode("utf-8")
        source = self.work / f"tbs-{len(self.signed)}"
        source.write_bytes(content)
        signature = subprocess.run(
            ["openssl", "cms", "-sign", "-binary", "-nodetach", "-md", "sha256", "-in", str(source),
             "-signer", self.certificate, "-inkey", self.key, "-outform", "DER"],
            check=True, capture_output=True).stdout
        self.signed.append(tbs)
        return {"func": "sign", "ret_code": 0, "signature": base64.b64encode(signature).decode()}

    def start(self) -> "LocalServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *arguments) -> None:
                pass

            def answer(self, body: str, content_type: str) -> None:
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                if path == "/popupForm":
                    self.answer(POPUP_FORM, "text/html; charset=utf-8")
                elif path == "/pkcs11info":
                    self.answer(json.dumps(server.pkcs11info(), ensure_ascii=False), "application/json; charset=utf-8")
                elif path == "/":
                    self.answer(f"<html><body>HiPKI Local Server version:{VERSION}</body></html>", "text/html")
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                if urllib.parse.urlsplit(self.path).path != "/sign":
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
                try:
                    package = json.loads(form.get("tbsPackage", ["{}"])[0])
                except json.JSONDecodeError:
                    self.answer(json.dumps({"func": "sign", "ret_code": 0x7600000B}), "application/json")
                    return
                self.answer(json.dumps(server.sign(package)), "application/json")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--pin", required=True)
    parser.add_argument("--port", type=int, default=PORT)
    arguments = parser.parse_args()
    server = LocalServer(arguments.certificate, arguments.key, arguments.pin, arguments.port).start()
    print(f"HiPKI Local Server stand-in on http://127.0.0.1:{arguments.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
