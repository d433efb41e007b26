#!/usr/bin/env python3
"""A stand-in for EZproxy's ticket authentication, to check OneCard's tickets from outside Swift.

Written from OCLC's documentation, not from OneCard's code:
- "Ticket authentication", https://help.oclc.org/Library_Management/EZproxy/Authenticate_users/EZproxy_authentication_methods/Ticket_authentication
  (formerly https://www.oclc.org/support/services/ezproxy/documentation/usr/ticket.en.html): the ticket URL
  `/login?user=rdoe&ticket=<digest>%24c20041222220203%24e&url=http://www.somedb.com/`; user.txt's block
  `::Ticket` / `AcceptGroups A+B` / `TimeValid 10` (minutes; before the digest line) / `MD5 somekey` (or SHA1,
  SHA256, SHA512) / `Expired; Deny expired.html` / `/Ticket`; groups not in AcceptGroups are ignored.
- OCLC's sample generator (PHP `EZproxyTicket`): packet = '$u' . time() [. '$g' . groups] . '$e';
  ticket = urlencode(md5(secret . user . packet) . packet); URL = server . "/login?user=" . urlencode(user)
  . "&ticket=" . ticket . "&url=" . url. The ASP and Cold Fusion samples put '$c' YYYYMMDDHHMMSS instead of
  '$u' and the Unix time; both are read here.
- "CGI authentication" (…/EZproxy_authentication_methods/CGI_authentication): `::CGI=https://…?url=^U` sends
  the reader to the script with the destination; the script returns the reader with a ticket URL.

Usage:
  ezproxy_standin.py check --user-txt FILE [--now UNIX_TIME] URL   # prints JSON; exit 0 accepted, 1 refused
  ezproxy_standin.py serve --user-txt FILE --port PORT              # answers /login as EZproxy would
"""
import argparse
import calendar
import hashlib
import hmac
import http.server
import json
import sys
import time
import urllib.parse

DIGESTS = {"MD5": hashlib.md5, "SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def read_ticket_block(text):
    """The ::Ticket block of a user.txt: accepted groups, minutes valid, digest and secret."""
    config = {"accept_groups": None, "time_valid": None, "digest": None, "secret": None}
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.lower() == "::ticket":
            inside = True
            continue
        if line.lower() == "/ticket":
            inside = False
            continue
        if not inside or not line:
            continue
        word, _, rest = line.partition(" ")
        if word.lower() == "acceptgroups":
            config["accept_groups"] = rest.strip().split("+")
        elif word.lower() == "timevalid":
            config["time_valid"] = int(rest)
        elif word.upper() in DIGESTS:
            if config["time_valid"] is None:
                raise ValueError("TimeValid must appear before the digest line")
            config["digest"], config["secret"] = word.upper(), rest.strip()
    if config["digest"] is None:
        raise ValueError("no ::Ticket block with a digest and secret")
    return config


def verify(query, config, now):
    """What EZproxy decides for /login?<query>: {"accepted": bool, ...}."""
    # `url` is last and is the rest of the query, whatever it holds (the sample appends it unencoded).
    destination = None
    head = query
    if query.startswith("url="):
        head, destination = "", query[4:]
    elif "&url=" in query:
        head, destination = query.split("&url=", 1)
    params = urllib.parse.parse_qs(head, keep_blank_values=True)
    if "user" not in params or "ticket" not in params:
        return {"accepted": False, "reason": "no ticket"}
    user, ticket = params["user"][0], params["ticket"][0]
    digest = DIGESTS[config["digest"]]
    length = digest().digest_size * 2
    signature, packet = ticket[:length], ticket[length:]
    expected = digest((config["secret"] + user + packet).encode("utf-8")).hexdigest()
    if not hmac.compare_digest(signature.lower(), expected):
        return {"accepted": False, "reason": "signature"}
    if not packet.endswith("$e"):
        return {"accepted": False, "reason": "packet"}
    issued, groups = None, []
    for field in packet[:-2].split("$")[1:]:
        kind, value = field[:1], field[1:]
        if kind == "u":
            issued = int(value)
        elif kind == "c":
            issued = calendar.timegm(time.strptime(value, "%Y%m%d%H%M%S"))
        elif kind == "g":
            groups = value.split("+")
    if issued is None:
        return {"accepted": False, "reason": "packet"}
    if now - issued > config["time_valid"] * 60 or issued - now > 60:
        return {"accepted": False, "reason": "expired"}
    if config["accept_groups"] is not None:
        groups = [group for group in groups if group in config["accept_groups"]]
    else:
        groups = []
    return {"accepted": True, "user": user, "groups": groups or ["Default"],
            "url": urllib.parse.unquote(destination) if destination is not None else None}


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check")
    check.add_argument("--user-txt", required=True)
    check.add_argument("--now", type=int)
    check.add_argument("url")
    serve = sub.add_parser("serve")
    serve.add_argument("--user-txt", required=True)
    serve.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    with open(args.user_txt, encoding="utf-8") as handle:
        config = read_ticket_block(handle.read())
    if args.command == "check":
        split = urllib.parse.urlsplit(args.url)
        if split.path.rstrip("/").split("/")[-1] != "login":
            print(json.dumps({"accepted": False, "reason": "not /login"}))
            return 1
        outcome = verify(split.query, config, args.now if args.now is not None else int(time.time()))
        print(json.dumps(outcome, ensure_ascii=False, sort_keys=True))
        return 0 if outcome["accepted"] else 1

    class Login(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            split = urllib.parse.urlsplit(self.path)
            outcome = verify(split.query, config, int(time.time())) if split.path == "/login" else {"accepted": False}
            body = json.dumps(outcome, ensure_ascii=False).encode("utf-8")
            self.send_response(200 if outcome["accepted"] else 403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Login).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
