"""Auth kinds from the registry, including the OAuth2 client-credentials token cache."""

from __future__ import annotations

import base64
from dataclasses import replace
from urllib.parse import parse_qs

import pytest
import requests
from fetch_helpers import Loopback

from eventframework.definitions.auth_keys import AuthSpec, AuthType
from eventframework.fetch import AUTH_KINDS, CredentialsError, TokenCache, fetch_page
from eventframework.fetch.auth import OAuth2ClientCredentialsAuth


class Clock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_auth_kinds_registry_covers_every_auth_type() -> None:
    assert set(AUTH_KINDS) == set(AuthType)


@pytest.mark.parametrize(
    ("spec", "credentials", "expected"),
    [
        (AuthSpec(type=AuthType.NONE), {}, None),
        (AuthSpec(type=AuthType.HEADER, header="X-Api-Key", prefix=""), {"token": "k1"}, ("X-Api-Key", "k1")),
        (AuthSpec(type=AuthType.HEADER, prefix="SSWS "), {"token": "k2"}, ("Authorization", "SSWS k2")),
        (
            AuthSpec(type=AuthType.BEARER, credential="api_key"),
            {"api_key": "k3"},
            ("Authorization", "Bearer k3"),
        ),
        (
            AuthSpec(type=AuthType.BASIC),
            {"username": "u", "password": "p"},
            ("Authorization", "Basic " + base64.b64encode(b"u:p").decode()),
        ),
    ],
)
def test_auth_static_kinds_set_the_expected_header(
    loopback: Loopback, okta, spec, credentials, expected
) -> None:
    loopback.reply(body=[])
    fetch_page(
        replace(okta, auth=spec), {"base_url": loopback.url, **credentials}, None, session=requests.Session()
    )
    headers = loopback.seen[0].headers
    if expected is None:
        assert "Authorization" not in headers
    else:
        assert headers[expected[0]] == expected[1]


def test_auth_missing_credential_names_the_key_only(loopback: Loopback, okta) -> None:
    with pytest.raises(CredentialsError) as caught:
        fetch_page(
            okta, {"base_url": loopback.url, "username": "sekrit-user"}, None, session=requests.Session()
        )
    assert "key 'token'" in str(caught.value)
    assert "sekrit-user" not in str(caught.value)
    assert loopback.seen == []


def _oauth(okta, token_url: str = "/oauth2/v1/token", scope: str | None = "okta.logs.read"):
    spec = AuthSpec(type=AuthType.OAUTH2_CLIENT_CREDENTIALS, token_url=token_url, scope=scope)
    return replace(okta, auth=spec), OAuth2ClientCredentialsAuth(spec, cache=TokenCache())


OAUTH_CREDS = {"client_id": "cid", "client_secret": "csecret"}


def test_auth_oauth2_fetches_once_and_reuses_until_expiry(loopback: Loopback, okta) -> None:
    definition, auth = _oauth(okta)
    clock = Clock()
    creds = {"base_url": loopback.url, **OAUTH_CREDS}
    loopback.reply(body={"access_token": "at1", "token_type": "Bearer", "expires_in": 3600})
    loopback.reply(body=[])
    loopback.reply(body=[])
    session = requests.Session()
    fetch_page(definition, creds, None, session=session, now=clock, auth=auth)
    clock.now += 3000
    fetch_page(definition, creds, None, session=session, now=clock, auth=auth)
    token_request, first, second = loopback.seen
    assert (token_request.method, token_request.path) == ("POST", "/oauth2/v1/token")
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["okta.logs.read"],
    }
    assert token_request.headers["Authorization"] == "Basic " + base64.b64encode(b"cid:csecret").decode()
    assert first.headers["Authorization"] == second.headers["Authorization"] == "Bearer at1"
    loopback.reply(body={"access_token": "at2", "expires_in": 3600})
    loopback.reply(body=[])
    clock.now += 560  # within the 60 s safety margin of expiry: refresh
    fetch_page(definition, creds, None, session=session, now=clock, auth=auth)
    assert loopback.seen[3].path == "/oauth2/v1/token"
    assert loopback.seen[4].headers["Authorization"] == "Bearer at2"


def test_auth_oauth2_401_refreshes_the_token_once(loopback: Loopback, okta) -> None:
    definition, auth = _oauth(okta)
    creds = {"base_url": loopback.url, **OAUTH_CREDS}
    loopback.reply(body={"access_token": "stale", "expires_in": 3600})
    loopback.reply(status=401, body={"errorCode": "E0000011"})
    loopback.reply(body={"access_token": "fresh", "expires_in": 3600})
    loopback.reply(body=[])
    page = fetch_page(definition, creds, None, session=requests.Session(), now=Clock(), auth=auth)
    assert page.status == 200
    assert loopback.seen[3].headers["Authorization"] == "Bearer fresh"


def test_auth_oauth2_token_endpoint_rejection_is_auth_error(loopback: Loopback, okta) -> None:
    from eventframework.fetch import SourceAuthError

    definition, auth = _oauth(okta, scope=None)
    loopback.reply(status=400, body={"error": "invalid_client"})
    with pytest.raises(SourceAuthError) as caught:
        fetch_page(
            definition, {"base_url": loopback.url, **OAUTH_CREDS}, None, session=requests.Session(), auth=auth
        )
    assert "csecret" not in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"access_token": "t", "expires_in": ' + b"9" * 5000 + b"}",
        b"not json",
    ],
    ids=["nested", "huge-number", "not-json"],
)
def test_auth_oauth2_hostile_token_answer_is_auth_error(loopback: Loopback, okta, answer: bytes) -> None:
    from eventframework.fetch import SourceAuthError

    definition, auth = _oauth(okta, scope=None)
    loopback.reply(status=200, body=answer)
    with pytest.raises(SourceAuthError):
        fetch_page(
            definition, {"base_url": loopback.url, **OAUTH_CREDS}, None, session=requests.Session(), auth=auth
        )


def test_auth_oauth2_secret_token_url_wins_and_body_client_auth(loopback: Loopback, okta) -> None:
    spec = AuthSpec(type=AuthType.OAUTH2_CLIENT_CREDENTIALS, token_url="/wrong", client_auth="body")
    auth = OAuth2ClientCredentialsAuth(spec, cache=TokenCache())
    creds = {"base_url": loopback.url, "token_url": f"{loopback.url}/token", **OAUTH_CREDS}
    loopback.reply(body={"access_token": "at", "expires_in": 60})
    loopback.reply(body=[])
    fetch_page(replace(okta, auth=spec), creds, None, session=requests.Session(), now=Clock(), auth=auth)
    token_request = loopback.seen[0]
    assert token_request.path == "/token"
    assert parse_qs(token_request.body.decode())["client_secret"] == ["csecret"]
    assert "Authorization" not in token_request.headers
