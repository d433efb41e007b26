#!/usr/bin/env python3
"""Drives the PyPI `pysip2` codec over a plain socket against a running OneCard SIP2 server:
requests are built with pysip2.encode_message (with sequence numbers and checksums) and every
response is parsed with pysip2.decode_message, which validates fixed-field widths and patterns,
required fields and checksums strictly. Prints what it saw as one JSON object. Started by
Tests/SIP2Tests/PythonClientTests.swift.

Exit status 3 means the package is missing: pip install sip2 pysip2
"""
import argparse
import json
import socket
import sys
import time

try:
    import pysip2
except ImportError as error:
    print(f"the PyPI package pysip2 is missing ({error}): pip install sip2 pysip2", file=sys.stderr)
    sys.exit(3)


class Connection:
    def __init__(self, host, port, encoding):
        # Generous: under a loaded CI the whole test suite shares two cores with this server.
        self.socket = socket.create_connection((host, port), timeout=60)
        self.encoding = encoding
        self.buffer = b""
        self.sequence = 0

    def send(self, message):
        frame = pysip2.encode_message(message, sequence_number=self.sequence, checksum=True, encoding=self.encoding)
        self.sequence = (self.sequence + 1) % 10
        self.socket.sendall(frame)
        return self.receive()

    def receive(self):
        while b"\r" not in self.buffer:
            chunk = self.socket.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        frame, self.buffer = self.buffer.split(b"\r", 1)
        return pysip2.decode_message(frame + b"\r", encoding=self.encoding)

    def close(self):
        self.socket.close()


def now():
    return time.strftime("%Y%m%d    %H%M%S")


def summary(decoded):
    message = decoded.message
    data = {"type": type(message).__name__, "sequence": decoded.sequence_number, "checksum": decoded.checksum}
    for name in message.__struct_fields__:
        value = getattr(message, name)
        data[name] = list(value) if isinstance(value, tuple) else value
    return data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--institution", required=True)
    parser.add_argument("--patron", required=True)
    parser.add_argument("--patron-password", required=True)
    parser.add_argument("--encoding", default="utf-8", help="a Python codec name, e.g. utf-8 or cp950")
    args = parser.parse_args()

    connection = Connection(args.host, args.port, args.encoding)
    result = {}
    result["login"] = summary(connection.send(pysip2.LoginRequest(
        uid_algorithm="0", pwd_algorithm="0", login_user_id=args.user, login_password=args.password,
        location_code="pysip2")))
    result["acsStatus"] = summary(connection.send(pysip2.SCStatusRequest(
        status_code="0", max_print_width="080", protocol_version="2.00")))

    def patron_status(identifier, password):
        return summary(connection.send(pysip2.PatronStatusRequest(
            language="000", transaction_date=now(), institution_id=args.institution, patron_identifier=identifier,
            terminal_password="", patron_password=password)))

    result["unknownPatron"] = patron_status("NO-SUCH-CARD", "whatever")
    result["wrongPassword"] = patron_status(args.patron, args.patron_password + "-wrong")
    result["rightPassword"] = patron_status(args.patron, args.patron_password)
    result["patronInformation"] = summary(connection.send(pysip2.PatronInformationRequest(
        language="000", transaction_date=now(), summary="          ", institution_id=args.institution,
        patron_identifier=args.patron, patron_password=args.patron_password)))
    result["endSession"] = summary(connection.send(pysip2.EndPatronSessionRequest(
        transaction_date=now(), institution_id=args.institution, patron_identifier=args.patron)))

    # A corrupted checksum must be answered with 96 (request SC resend), itself checksummed.
    frame = bytearray(pysip2.encode_message(pysip2.SCStatusRequest(
        status_code="0", max_print_width="080", protocol_version="2.00"), sequence_number=connection.sequence,
        checksum=True))
    frame[-2] = ord("0") if frame[-2] != ord("0") else ord("1")
    connection.socket.sendall(bytes(frame))
    result["corrupted"] = summary(connection.receive())

    connection.close()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
