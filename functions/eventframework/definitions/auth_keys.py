"""The ``auth`` block of a definition: its types, its spec, and each kind declared once with its keys.

Adding a kind: an ``AuthType`` member and its :class:`Kind` in ``AUTH`` here (a new key also needs
a field on ``AuthSpec``, whose default is the key's default), its ``Auth`` class in
``fetch/auth_kinds.py``'s ``AUTH_KINDS`` (with the secret keys it reads), then `efw schema sync`.
The schema, the loader and the refusal of another kind's keys follow from the declaration (see
``definitions.kinds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from eventframework.definitions.kinds import Key, Kind, KindFamily


class AuthType(StrEnum):
    NONE = "none"
    HEADER = "header"
    BEARER = "bearer"
    BASIC = "basic"
    OAUTH2_CLIENT_CREDENTIALS = "oauth2_client_credentials"
    HMAC_SIGNATURE = "hmac_signature"
    JWT_BEARER = "jwt_bearer"
    OAUTH2_REFRESH_TOKEN = "oauth2_refresh_token"


@dataclass(frozen=True)
class AuthSpec:
    """A validated auth block: every kind's keys as fields, those its kind does not use at their
    defaults (the defaults the schema shows)."""

    type: AuthType
    header: str = "Authorization"
    prefix: str = ""
    credential: str = "token"
    token_url: str | None = None
    scope: str | None = None
    client_auth: str = "basic"
    audience: str | None = None
    algorithm: str = "sha1"
    date_header: str = "Date"
    token_params: Mapping[str, str] = field(default_factory=dict)


def _string_map(value: Any) -> dict[str, str]:
    return {str(name): str(text) for name, text in value.items()}


_HEADER_NAME = {"type": "string", "pattern": "^[A-Za-z0-9-]+$"}

_HEADER = Key("header", _HEADER_NAME)
_PREFIX = Key("prefix", {"type": "string"})
_CREDENTIAL = Key("credential", {"type": "string", "pattern": "^[a-z_]+$"})
_TOKEN_URL = Key("token_url", {"type": "string"})
_SCOPE = Key("scope", {"type": "string"})
_CLIENT_AUTH = Key("client_auth", {"enum": ["basic", "body"]})
_AUDIENCE = Key("audience", {"type": "string"})
_TOKEN_PARAMS = Key(
    "token_params", {"type": "object", "additionalProperties": {"type": "string"}}, convert=_string_map
)
_ALGORITHM = Key("algorithm", {"enum": ["sha1", "sha256", "sha512"]})
_DATE_HEADER = Key("date_header", _HEADER_NAME)

_TOKEN_HOLDER = "the secret's key holding the token"
_TOKEN_AT = "absolute, or relative to base_url; the secret's token_url wins"
_CLIENT = "how the client id and secret are sent: basic (an Authorization header) or body (form fields)"
_EXTRA_FIELDS = (
    "extra form fields of the token request, as the vendor documents them; {key} is the secret's value of "
    "key (Zoom: grant_type account_credentials, account_id {account_id}; Box: box_subject_id {enterprise_id})"
)

AUTH: KindFamily[AuthType, AuthSpec] = KindFamily(
    block="auth",
    spec=AuthSpec,
    description=(
        "How requests prove who sends them; credentials come from the source's secret, never the YAML. "
        "Each type takes only its own keys (generated from eventframework/definitions/auth_keys.py by "
        "`efw schema sync`)."
    ),
    kinds=(
        Kind(AuthType.NONE, "no credentials (public APIs)"),
        Kind(
            AuthType.HEADER,
            "a token in a named header after an optional prefix (Okta's Authorization: SSWS, "
            "GitLab's PRIVATE-TOKEN)",
            (
                _HEADER.means("the header name, e.g. Authorization", required=True),
                _PREFIX.means("text before the token, e.g. 'SSWS '"),
                _CREDENTIAL.means(_TOKEN_HOLDER),
            ),
        ),
        Kind(
            AuthType.BEARER,
            "Authorization: Bearer and the token (1Password, Slack, GitHub)",
            (_CREDENTIAL.means(_TOKEN_HOLDER),),
        ),
        Kind(AuthType.BASIC, "Authorization: Basic with the secret's username and password (Twilio)"),
        Kind(
            AuthType.OAUTH2_CLIENT_CREDENTIALS,
            "an access token from the token URL for the secret's client id and secret, cached until it "
            "expires (RFC 6749 4.4; Microsoft Graph, Auth0, Zoom, Box)",
            (
                _TOKEN_URL.means(_TOKEN_AT, required=True),
                _SCOPE.means("the scope asked for"),
                _CLIENT_AUTH.means(_CLIENT),
                _AUDIENCE.means(
                    "the audience form field some issuers require (Auth0: {base_url}/api/v2/, where "
                    "{base_url} is the secret's base_url); the secret's audience wins"
                ),
                _TOKEN_PARAMS.means(_EXTRA_FIELDS),
            ),
        ),
        Kind(
            AuthType.OAUTH2_REFRESH_TOKEN,
            "a long-lived refresh token from the secret exchanged for access tokens (RFC 6749 6; Dropbox)",
            (
                _TOKEN_URL.means(_TOKEN_AT, required=True),
                _SCOPE.means("the scope asked for"),
                _CLIENT_AUTH.means(_CLIENT),
                _TOKEN_PARAMS.means(_EXTRA_FIELDS),
            ),
        ),
        Kind(
            AuthType.HMAC_SIGNATURE,
            "every request signed with HMAC over its canonical form (Duo Admin API)",
            (
                _ALGORITHM.means("the HMAC digest"),
                _DATE_HEADER.means("the header carrying the signed RFC 2822 date"),
            ),
        ),
        Kind(
            AuthType.JWT_BEARER,
            "an RS256 service-account assertion exchanged for an access token (Google, RFC 7523)",
            (
                _TOKEN_URL.means(_TOKEN_AT.replace("token_url wins", "token_uri (or token_url) wins")),
                _SCOPE.means("the scopes asked for, as the vendor names them"),
            ),
        ),
    ),
)
