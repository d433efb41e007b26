"""OneCard as an OpenID Connect provider (issue #15 item 1), used by a real relying party from PyPI.

Authlib's `OAuth2Session` is the client: it reads the discovery document, builds the authorization URL with
PKCE (S256), exchanges the code, refreshes, introspects and revokes, authenticating with
`client_secret_basic` or as a public client. The reader's side (sign-in and consent) is walked by a plain
HTTP session, the way a browser posts the forms. The ID token is checked with joserfc against the published
JWKS alone: signature, `iss`, `aud`, `nonce`, expiry, and `at_hash` computed here from the access token. One
client is registered for RS256 (`--id-token-alg RS256`); its ID tokens verify with the published RSA key only.

The server is the real `onecard serve` of the browser tests (same fixture), and the clients are registered
with the CLI (`onecard oidc client create`). No browser is needed: the Chromium walk is `test_oidc.py`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import urllib.parse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

REDIRECT = "http://127.0.0.1:9/callback"


def csrf(page: str) -> str:
    match = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert match, page[:2000]
    return html.unescape(match.group(1))


def register(server, client_id: str, *extra: str) -> str | None:
    made = server.cli("oidc", "client", "create", "--client-id", client_id, "--name", "電子書平台",
                      "--home-page", "https://ebooks.example", "--redirect-uri", REDIRECT,
                      "--scopes", "openid profile email card age", "--libraries", "TPML", *extra)
    assert made.returncode == 0, made.stderr + made.stdout
    found = re.search(r"client_secret: (\S+)", made.stdout)
    return found.group(1) if found else None


@pytest.fixture(scope="module")
def reader(server) -> dict:
    seeded = server.cli("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    return json.loads(seeded.stdout)["readers"][0]


@pytest.fixture(scope="module")
def metadata(server) -> dict:
    document = requests.get(server.url("/.well-known/openid-configuration"), timeout=10).json()
    assert document["issuer"] == server.base_url
    return document


def sign_in_and_consent(server, authorization_url: str, reader: dict) -> str:
    """What the reader does in the browser; returns where OneCard sends them back (the redirect URI + code)."""
    agent = requests.Session()
    page = agent.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text[:2000]
    assert "電子書平台" in page.text
    signed_in = agent.post(server.url("/oidc/sign-in"), data={
        "_csrf": csrf(page.text), "identifier": reader["cardNumber"], "password": reader["password"]}, allow_redirects=False, timeout=30)
    assert signed_in.status_code == 303, signed_in.text[:2000]
    consent = agent.get(server.url(signed_in.headers["Location"]), allow_redirects=False, timeout=10)
    assert consent.status_code == 200, consent.text[:2000]
    assert "name=\"decision\"" in consent.text
    answered = agent.post(server.url("/oidc/consent"), data={"_csrf": csrf(consent.text), "decision": "allow"},
                          allow_redirects=False, timeout=10)
    assert answered.status_code == 303, answered.text[:2000]
    location = answered.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    return location


def verify_id_token(server, metadata: dict, id_token: str, client_id: str, nonce: str, access_token: str,
                    alg: str = "ES256") -> dict:
    published = requests.get(metadata["jwks_uri"], timeout=10).json()
    keys = KeySet.import_key_set(published)
    # Only the client's algorithm is accepted: an ES256 client's token does not verify as RS256, and the reverse.
    token = jwt.decode(id_token, keys, algorithms=[alg])
    assert token.header["alg"] == alg
    key = next(k for k in published["keys"] if k["kid"] == token.header["kid"])
    assert key["alg"] == alg and key["use"] == "sig" and "d" not in key
    assert key["kty"] == {"ES256": "EC", "RS256": "RSA"}[alg]
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": server.base_url},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
    ).validate(token.claims)
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    assert token.claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")
    return token.claims


def test_a_confidential_relying_party_signs_a_reader_in_refreshes_introspects_and_revokes(server, reader, metadata):
    secret = register(server, "rp-confidential")
    assert secret
    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48)
    client = OAuth2Session("rp-confidential", secret, scope="openid profile card age", redirect_uri=REDIRECT,
                           code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    back = sign_in_and_consent(server, url, reader)
    returned = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
    assert returned["state"] == state
    assert returned["iss"] == server.base_url

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 600
    claims = verify_id_token(server, metadata, token["id_token"], "rp-confidential", nonce, token["access_token"])

    info = client.get(metadata["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["name"] == reader["name"]
    assert info["card"]["library"] == "TPML" and info["card"]["kind"] == "physical" and info["card"]["standing"] == "good"
    assert "age_over_18" in info and "birthdate" not in info
    assert reader["idNumber"] not in json.dumps(info, ensure_ascii=False)
    assert reader["idNumber"] not in json.dumps(claims, ensure_ascii=False)

    first_refresh = token["refresh_token"]
    refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh)
    assert refreshed["refresh_token"] != first_refresh and refreshed["access_token"] != token["access_token"]
    assert client.get(metadata["userinfo_endpoint"]).status_code == 200

    introspected = client.introspect_token(metadata["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert introspected["active"] is True and introspected["client_id"] == "rp-confidential"
    assert introspected["sub"] == claims["sub"]

    # The spent refresh token comes back (a stolen copy): refused, and the family is revoked.
    reuse = requests.post(metadata["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": first_refresh},
                          auth=("rp-confidential", secret), timeout=10)
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    gone = client.introspect_token(metadata["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert gone == {"active": False}

    # RP-initiated logout with the ID token as the hint goes back to the client with its state.
    logout = requests.get(metadata["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": REDIRECT, "state": "bye"}, allow_redirects=False, timeout=10)
    assert logout.status_code in (302, 303), logout.text[:500]
    assert logout.headers["Location"] == REDIRECT + "?state=bye"


def test_a_public_relying_party_uses_pkce_and_revokes_its_refresh_token(server, reader, metadata):
    assert register(server, "rp-public", "--public") is None
    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48)
    client = OAuth2Session("rp-public", scope="openid email", redirect_uri=REDIRECT, code_challenge_method="S256",
                           token_endpoint_auth_method="none")
    url, _ = client.create_authorization_url(metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    assert "code_challenge=" in url
    back = sign_in_and_consent(server, url, reader)

    # The code without its verifier is no use to whoever intercepted it.
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))["code"]
    stolen = requests.post(metadata["token_endpoint"], data={"grant_type": "authorization_code", "code": code,
                                                              "redirect_uri": REDIRECT, "client_id": "rp-public"}, timeout=10)
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=back, code_verifier=verifier)
    verify_id_token(server, metadata, token["id_token"], "rp-public", nonce, token["access_token"])
    info = client.get(metadata["userinfo_endpoint"]).json()
    assert "name" not in info and "card" not in info

    revoked = client.revoke_token(metadata["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token")
    assert revoked.status_code == 200
    # The refresh token took its family with it: the access token no longer works either.
    assert client.get(metadata["userinfo_endpoint"]).status_code == 401
    again = requests.post(metadata["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
                                                             "client_id": "rp-public"}, timeout=10)
    assert again.status_code == 400


def test_an_rs256_relying_party_gets_id_tokens_it_verifies_with_the_published_rsa_key(server, reader, metadata):
    """A relying party that can only check RS256 (issue #15: "RS256 too if a client needs it")."""
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    secret = register(server, "rp-rs256", "--id-token-alg", "RS256")
    register(server, "rp-es256-too")  # an ES256 client beside it (the default)
    listed = server.cli("oidc", "client", "list")
    assert listed.returncode == 0, listed.stderr
    row = next(line.split("\t") for line in listed.stdout.splitlines() if line.startswith("rp-rs256\t"))
    assert row[-1] == "RS256"

    # Both kinds of key are published, the RSA one of at least 2048 bits.
    published = requests.get(metadata["jwks_uri"], timeout=10).json()["keys"]
    assert {k["kty"]: k["alg"] for k in published} == {"EC": "ES256", "RSA": "RS256"}
    rsa = [k for k in published if k["kty"] == "RSA"]
    assert all(len(base64.urlsafe_b64decode(k["n"] + "=" * (-len(k["n"]) % 4))) * 8 >= 2048 for k in rsa)

    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48)
    client = OAuth2Session("rp-rs256", secret, scope="openid profile", redirect_uri=REDIRECT,
                           code_challenge_method="S256", token_endpoint_auth_method="client_secret_post")
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    back = sign_in_and_consent(server, url, reader)
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))["state"] == state
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=back, code_verifier=verifier)
    claims = verify_id_token(server, metadata, token["id_token"], "rp-rs256", nonce, token["access_token"], alg="RS256")
    assert client.get(metadata["userinfo_endpoint"]).json()["sub"] == claims["sub"]
    assert reader["idNumber"] not in json.dumps(claims, ensure_ascii=False)
    with pytest.raises(Exception):
        jwt.decode(token["id_token"], KeySet.import_key_set({"keys": [k for k in published if k["kty"] == "EC"]}), algorithms=["RS256", "ES256"])

    # The logout hint may be an RS256 ID token too.
    logout = requests.get(metadata["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": REDIRECT, "state": "bye"}, allow_redirects=False, timeout=10)
    assert logout.status_code in (302, 303), logout.text[:500]

    # The administrator can move it back to ES256 on the command line; nothing else is accepted.
    wrong = server.cli("oidc", "client", "set-alg", "rp-rs256", "HS256")
    assert wrong.returncode != 0 and "ES256 or RS256" in wrong.stderr + wrong.stdout
    moved = server.cli("oidc", "client", "set-alg", "rp-rs256", "ES256")
    assert moved.returncode == 0, moved.stderr + moved.stdout
    listed = server.cli("oidc", "client", "list")
    assert next(line for line in listed.stdout.splitlines() if line.startswith("rp-rs256\t")).endswith("\tES256")
