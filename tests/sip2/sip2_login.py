#!/usr/bin/env python3
"""Logs in to a running OneCard SIP2 server with the PyPI `sip2` client (Tobias Zeumer's SC client), once
per --password given, each on a new connection, and prints {"logins": ["1" or "0", ...]} (the 94 login
response's Ok field). Started by Tests/AppTests/SystemsAdministrationTests.swift: an account made and then
given a new password in the back office (issue #14 item 6).

Exit status 3 means the package is missing: pip install sip2 pysip2
"""
import argparse
import json
import sys
import tempfile

try:
    from Sip2.sip2 import Sip2
except ImportError as error:
    print(f"the PyPI package sip2 is missing ({error}): pip install sip2 pysip2", file=sys.stderr)
    sys.exit(3)


def login(host, port, user, password, log_dir):
    client = Sip2()
    client.hostName = host
    client.hostPort = port
    client.socketTimeout = 60  # generous: under a loaded CI the suite shares two cores with the server
    client.tlsEnable = False
    client.logfile_path = log_dir  # it writes sip2.log to the working directory otherwise
    client.connect()
    try:
        request = client.sip_login_request(user, password)
        return client.sip_login_response(client.get_response(request))["fixed"]["Ok"]
    finally:
        client.disconnect()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", action="append", required=True)
    args = parser.parse_args()

    # The client prints to stdout when it is garbage-collected; keep stdout for the JSON alone.
    json_out = sys.stdout
    sys.stdout = sys.stderr
    log_dir = tempfile.TemporaryDirectory()
    results = [login(args.host, args.port, args.user, password, log_dir.name) for password in args.password]
    json_out.write(json.dumps({"logins": results}) + "\n")
    json_out.flush()


if __name__ == "__main__":
    main()
