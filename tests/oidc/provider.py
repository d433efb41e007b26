"""A real OpenID Connect provider for OneCard's Taipei Pass tests: PyPI's oidc-provider-mock, with PKCE enforced.

oidc-provider-mock 0.3.x (the last release for Python 3.11) accepts `code_challenge` but never checks the
`code_verifier`. This wires in authlib's own RFC 7636 extension -- authlib is the library the mock is built
on -- so a missing or wrong verifier is refused with `invalid_grant`, as a real provider refuses it.

    python3 tests/oidc/provider.py [--port 0] [--no-pkce] [--require-registration] [--token-max-age SECONDS]

Prints `listening http://127.0.0.1:PORT` on stdout once it accepts connections, then serves until killed.
The issuer is that URL (the mock takes it from the Host header). Its authorization page has a `sub` field
with an `Authorize` button, and a `Deny` button that answers `error=access_denied`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from datetime import timedelta

import authlib.integrations.flask_oauth2 as flask_oauth2
import werkzeug.serving
from authlib.oauth2.rfc7636 import CodeChallenge
from oidc_provider_mock import _app as mock_app

# code -> (code_challenge, code_challenge_method), as the authorization request gave them.
_challenges: dict[str, tuple[str | None, str | None]] = {}


class _ChallengeRecordingGrant(mock_app.AuthorizationCodeGrant):
    # Public clients (no secret) too: for them PKCE is what binds the code to the browser that asked.
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, request):
        super().save_authorization_code(code, request)
        data = request.payload.data
        _challenges[code] = (data.get("code_challenge"), data.get("code_challenge_method"))


class _StoredCodeChallenge(CodeChallenge):
    def get_authorization_code_challenge(self, authorization_code):
        return _challenges.get(authorization_code.code, (None, None))[0]

    def get_authorization_code_challenge_method(self, authorization_code):
        return _challenges.get(authorization_code.code, (None, None))[1]


def _install_grant(enforce_pkce: bool) -> None:
    mock_app.AuthorizationCodeGrant = _ChallengeRecordingGrant
    if not enforce_pkce:
        return
    register_grant = flask_oauth2.AuthorizationServer.register_grant

    def register_with_pkce(self, grant_cls, extensions=None):
        if grant_cls is _ChallengeRecordingGrant:
            extensions = [*(extensions or []), _StoredCodeChallenge(required=True)]
        return register_grant(self, grant_cls, extensions)

    flask_oauth2.AuthorizationServer.register_grant = register_with_pkce


def _exit_with_parent() -> None:
    """A test runner that is killed cannot stop its provider: stop when orphaned."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-pkce", action="store_true", help="accept any code_verifier, as the mock does by itself")
    parser.add_argument("--require-registration", action="store_true",
                        help="only clients registered at POST /oauth2/clients, with their secret, may use the token endpoint")
    parser.add_argument("--token-max-age", type=int, default=3600, help="lifetime of ID and access tokens, seconds")
    args = parser.parse_args()
    # A parent that blocks signals in its threads (Swift's test runner does) passes the mask on; stopping must work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    _exit_with_parent()

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback
    _install_grant(enforce_pkce=not args.no_pkce)
    app = mock_app.app(require_nonce=True, require_client_registration=args.require_registration,
                       access_token_max_age=timedelta(seconds=args.token_max_age))
    server = werkzeug.serving.make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"listening http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
