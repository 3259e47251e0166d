"""The definition-format pieces the catalogue added: HMAC signing, JWT assertions, last-record
paging, list cursors, window placeholders and bracketed path keys."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from eventframework.definitions import load_source
from eventframework.definitions.paths import compile_path, split_path
from eventframework.fetch import CredentialsError
from eventframework.fetch.auth_jwt import rs256_jwt
from eventframework.fetch.auth_signing import canonical_params, canonical_request, sign
from eventframework.fetch.cursors import overlap_seconds, placeholders
from eventframework.fetch.pagination import _cursor_text

NOW = 1723629600.0  # 2024-08-14T10:00:00Z


def test_hmac_canonical_request_sorts_and_percent_encodes_parameters() -> None:
    canonical = canonical_request(
        "Tue, 21 Aug 2012 17:29:18 -0000",
        "get",
        "https://API-XXXXXXXX.duosecurity.com/admin/v2/logs/authentication?sort=ts%3Aasc",
        {"mintime": 1, "next_offset": "1532951895000,af0ba235", "limit": 1000},
    )
    assert canonical.split("\n") == [
        "Tue, 21 Aug 2012 17:29:18 -0000",
        "GET",
        "api-xxxxxxxx.duosecurity.com",
        "/admin/v2/logs/authentication",
        "limit=1000&mintime=1&next_offset=1532951895000%2Caf0ba235&sort=ts%3Aasc",
    ]
    assert canonical_params([("a b", "~x/y")]) == "a%20b=~x%2Fy"


def test_hmac_signature_is_hex_hmac_of_the_canonical_text() -> None:
    fox = "The quick brown fox jumps over the lazy dog"
    assert sign("key", fox) == "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"  # the RFC 2104 example vector
    assert len(sign("key", "text", "sha512")) == 128


def test_jwt_assertion_verifies_with_the_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    token = rs256_jwt({"iss": "svc@example", "sub": "admin@example"}, pem)
    header, claims, signature = token.split(".")

    def decode(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    assert json.loads(decode(header)) == {"alg": "RS256", "typ": "JWT"}
    assert json.loads(decode(claims))["sub"] == "admin@example"
    key.public_key().verify(
        decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_jwt_bearer_with_a_broken_private_key_names_the_secret_key_not_its_value() -> None:
    from eventframework.fetch.auth import AuthContext, TokenCache
    from eventframework.fetch.auth_jwt import JwtBearerAuth

    spec = load_source("google-workspace-login").auth
    credentials = {
        "client_email": "svc@example",
        "private_key": "not-a-pem-SECRETVALUE",
        "token_uri": "http://x/t",
    }
    ctx = AuthContext("google-workspace-login", credentials, "http://127.0.0.1:9", None, lambda: NOW)  # type: ignore[arg-type]
    with pytest.raises(CredentialsError) as raised:
        JwtBearerAuth(spec, TokenCache()).headers(ctx)
    assert "private_key" in str(raised.value) and "SECRETVALUE" not in str(raised.value)


def test_cursor_text_joins_list_cursors_and_rejects_empty_ones() -> None:
    assert _cursor_text(["1532951895000", "af0ba235"]) == "1532951895000,af0ba235"
    assert _cursor_text(42) == "42"
    assert _cursor_text("") is None and _cursor_text([]) is None and _cursor_text(True) is None


def test_window_placeholders_apply_lag_and_delay() -> None:
    duo = load_source("duo-authentication-log")
    values = placeholders(duo, "2024-08-14T09:00:00+00:00", NOW)
    assert values["start_epoch_ms"] == int(NOW - 3600 - 120) * 1000  # since minus lag_seconds
    assert values["end_epoch_ms"] == int(NOW - 120) * 1000  # now minus delay_seconds
    assert values["start_time"] == "2024-08-14T08:58:00.000Z"
    no_lag = replace(duo, cursor=replace(duo.cursor, lag_seconds=0, delay_seconds=0))
    assert placeholders(no_lag, "2024-08-14T09:00:00Z", NOW)["end_epoch"] == int(NOW)


def test_bracketed_path_keys_hold_dots() -> None:
    assert split_path("[@odata.nextLink]") == ("@odata.nextLink",)
    assert split_path("a.[b.c].0") == ("a", "b.c", "0")
    assert compile_path("[@odata.nextLink]")({"@odata.nextLink": "u"}) == "u"
    with pytest.raises(ValueError, match="unclosed"):
        split_path("[a.b")


def test_overlap_covers_the_lag_and_what_the_start_format_truncates() -> None:
    # The ledger keeps ids this far back, so a re-read window never re-delivers.
    assert overlap_seconds(load_source("okta-system-log")) == 0  # RFC 3339 with milliseconds, no lag
    assert overlap_seconds(load_source("slack-audit-logs")) == 300  # epoch seconds, a 300 s lag
    assert overlap_seconds(load_source("github-audit-log")) == 1  # whole seconds
    zoom = load_source("zoom-operation-logs")  # from=yyyy-mm-dd: a date starts up to a day early
    assert overlap_seconds(zoom) == zoom.cursor.lag_seconds + 86400
