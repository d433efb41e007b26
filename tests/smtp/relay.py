"""A real mail relay for OneCard's SMTP tests: PyPI's aiosmtpd with STARTTLS or TLS from the start, and AUTH.

    python3 tests/smtp/relay.py --maildir DIR --events FILE [--cert PEM --key PEM]
        [--starttls | --implicit-tls] [--auth USER:PASSWORD] [--login-only] [--silent]

--starttls     offers STARTTLS and refuses every command but EHLO/HELO/NOOP/QUIT before it (require_starttls)
--implicit-tls speaks TLS from the first byte (smtps, port 465 style)
--auth         requires AUTH (auth_required) with this one user and password; AUTH is offered only over TLS
               (auth_require_tls), except with --auth-in-clear, a careless relay that takes passwords in plain text
--login-only   offers AUTH LOGIN but not PLAIN
--silent       accepts connections and never says a word (a stalled relay)
--inject-after-starttls
               answers STARTTLS with its 220 followed, still in plain text, by a forged EHLO reply, as a
               machine in the middle would (RFC 3207 section 5), then starts TLS as usual

A refused AUTH is answered "535 5.7.8 <user>:<password> is not accepted", echoing the attempt as a careless
relay might, so the tests can check that OneCard keeps no copy of what it sent.

Prints `listening PORT` on stdout once it accepts connections, then serves until killed. Every command that
matters is appended to the events file as one line: `EHLO tls=no`, `STARTTLS`, `AUTH PLAIN tls=yes`,
`AUTH-OK user`, `AUTH-FAILED`, `MAIL tls=yes`, so the tests can see what the relay saw.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    parser.add_argument("--auth-in-clear", action="store_true")
    parser.add_argument("--login-only", action="store_true")
    parser.add_argument("--silent", action="store_true")
    parser.add_argument("--inject-after-starttls", action="store_true")
    args = parser.parse_args()

    def record(line: str) -> None:
        with open(args.events, "a", encoding="utf-8") as events:
            events.write(line + "\n")

    tls_context = None
    if args.cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    expected = None
    if args.auth:
        user, _, password = args.auth.partition(":")
        expected = (user.encode(), password.encode())

    def authenticator(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == expected:
            record(f"AUTH-OK {auth_data.login.decode()}")
            return AuthResult(success=True)
        record("AUTH-FAILED")
        attempt = f"{auth_data.login.decode()}:{auth_data.password.decode()}" if isinstance(auth_data, LoginPassword) else "?"
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 {attempt} is not accepted")

    class RecordingRelay(SMTP):
        """aiosmtpd's SMTP, noting each command that matters and whether TLS protected it."""

        def _tls(self) -> str:
            protected = self._tls_protocol is not None or self.transport.get_extra_info("sslcontext") is not None
            return "yes" if protected else "no"

        async def smtp_EHLO(self, hostname):
            record(f"EHLO tls={self._tls()}")
            return await super().smtp_EHLO(hostname)

        async def smtp_STARTTLS(self, arg):
            record("STARTTLS")
            if args.inject_after_starttls:
                push = self.push

                async def push_with_forgery(status):
                    self.push = push
                    # One write, so the forgery arrives with the 220 as an attacker's would.
                    await push(status + "\r\n250-relay.test\r\n250 AUTH PLAIN" if status.startswith("220") else status)

                self.push = push_with_forgery
            return await super().smtp_STARTTLS(arg)

        async def smtp_AUTH(self, arg):
            record(f"AUTH {arg.split()[0] if arg else ''} tls={self._tls()}")
            return await super().smtp_AUTH(arg)

        async def smtp_MAIL(self, arg):
            record(f"MAIL tls={self._tls()}")
            return await super().smtp_MAIL(arg)

    handler = Mailbox(args.maildir)
    options = dict(hostname="relay.test", authenticator=authenticator)
    if args.starttls:
        options.update(tls_context=tls_context, require_starttls=True)
    if expected:
        # aiosmtpd counts only STARTTLS as TLS; on a connection that is TLS from the start it must be told
        # not to insist again.
        options.update(auth_required=True, auth_require_tls=not (args.auth_in_clear or args.implicit_tls))
    if args.login_only:
        options.update(auth_exclude_mechanism=["PLAIN"])

    class Silent(asyncio.Protocol):
        def connection_made(self, transport):
            record("CONNECTED")
            self.transport = transport  # held open, never answered

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        factory = Silent if args.silent else (lambda: RecordingRelay(handler, loop=loop, **options))
        server = await loop.create_server(factory, "127.0.0.1", args.port,
                                          ssl=tls_context if args.implicit_tls else None)
        print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(serve())
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
