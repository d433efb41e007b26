#!/usr/bin/env python3
"""Drives the PyPI `sip2` client (Tobias Zeumer's SIP2 SC client) against a running OneCard SIP2
server and prints what it saw as one JSON object. Started by Tests/SIP2Tests/PythonClientTests.swift.

The client is used as published: it tries TLS first and falls back to plain text, always sends
AY/AZ error detection, and formats checksums without zero padding. A checksum has fewer than four
digits only when the message's byte sum passes 0xF000 (some 600 bytes), so the unknown-patron
request pads its institution (AO) and terminal password (AC), which the client cuts at 255
characters each, until the client's own checksum is that short.

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


def fields(parsed):
    """The variable fields of a parsed response, first value of each, without the trailer."""
    return {key: values[0] for key, values in parsed["variable"].items() if key not in ("Raw", "AY", "AZ")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--patron", required=True)
    parser.add_argument("--patron-password", required=True)
    parser.add_argument("--no-tls-probe", action="store_true", help="connect in plain text straight away")
    args = parser.parse_args()

    # The client prints to stdout when it is garbage-collected; keep stdout for the JSON alone.
    json_out = sys.stdout
    sys.stdout = sys.stderr
    log_dir = tempfile.TemporaryDirectory()

    client = Sip2()
    client.hostName = args.host
    client.hostPort = args.port
    client.socketTimeout = 60  # generous: under a loaded CI the suite shares two cores with the server
    client.tlsEnable = not args.no_tls_probe
    client.logfile_path = log_dir.name  # it writes sip2.log to the working directory otherwise
    client.connect()
    result = {}

    wrong = client.sip_login_request(args.user, args.password + "-wrong")
    result["wrongLogin"] = client.sip_login_response(client.get_response(wrong))["fixed"]["Ok"]

    login = client.sip_login_request(args.user, args.password)
    result["login"] = client.sip_login_response(client.get_response(login))["fixed"]["Ok"]

    status = client.sip_sc_status_response(client.get_response(client.sip_sc_status_request()))
    result["acsStatus"] = {**status["fixed"], **fields(status)}

    def patron_status(identifier, password):
        client.patron = identifier
        client.patronpwd = password
        response = client.sip_patron_status_response(client.get_response(client.sip_patron_status_request()))
        return {**response["fixed"], **fields(response)}

    # An unknown patron, asked with a message whose checksum the client sends unpadded.
    institution = client.institutionId
    client.institutionId = "x" * 255
    client.patron = "NO-SUCH-CARD"
    client.patronpwd = ""
    request = None
    for length in range(200, 256):
        client.terminalPassword = "~" * length
        candidate = client.sip_patron_status_request()
        if len(candidate.strip().rsplit("AZ", 1)[1]) < 4:
            request = candidate
            break
    if request is None:
        raise SystemExit("could not make the client send a checksum shorter than four digits")
    result["unpaddedChecksum"] = request.strip().rsplit("AZ", 1)[1]
    response = client.sip_patron_status_response(client.get_response(request))
    result["unknownPatron"] = {**response["fixed"], **fields(response)}
    client.institutionId = institution
    client.terminalPassword = ""
    result["wrongPassword"] = patron_status(args.patron, args.patron_password + "-wrong")
    result["rightPassword"] = patron_status(args.patron, args.patron_password)
    result["noPassword"] = patron_status(args.patron, "")

    client.patron = args.patron
    client.patronpwd = args.patron_password
    information = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("none")))
    result["patronInformation"] = {**information["fixed"], **fields(information)}

    end = client.sip_end_patron_session_response(client.get_response(client.sip_end_patron_session_request()))
    result["endSession"] = {**end["fixed"], **fields(end)}
    result["lastResponse"] = client.last_response

    client.disconnect()
    json_out.write(json.dumps(result, ensure_ascii=False))
    json_out.flush()


if __name__ == "__main__":
    main()
