"""The registry of authentication kinds: ``AuthType`` -> class.

A kind's definition keys are declared in ``definitions/auth_keys.py`` (schema and loader follow from
there); its behaviour is its class, registered here with one line. A test holds the two to the same
kinds."""

from __future__ import annotations

from eventframework.definitions.auth_keys import AuthSpec, AuthType
from eventframework.fetch.auth import (
    Auth,
    BasicAuth,
    BearerAuth,
    HeaderAuth,
    NoAuth,
    OAuth2ClientCredentialsAuth,
    OAuth2RefreshTokenAuth,
)
from eventframework.fetch.auth_jwt import JwtBearerAuth
from eventframework.fetch.auth_signing import HmacSignatureAuth

AUTH_KINDS: dict[AuthType, type[Auth]] = {
    AuthType.NONE: NoAuth,
    AuthType.HEADER: HeaderAuth,
    AuthType.BEARER: BearerAuth,
    AuthType.BASIC: BasicAuth,
    AuthType.OAUTH2_CLIENT_CREDENTIALS: OAuth2ClientCredentialsAuth,
    AuthType.HMAC_SIGNATURE: HmacSignatureAuth,
    AuthType.JWT_BEARER: JwtBearerAuth,
    AuthType.OAUTH2_REFRESH_TOKEN: OAuth2RefreshTokenAuth,
}


def auth_for(spec: AuthSpec) -> Auth:
    """The auth object for a definition's ``auth`` block."""
    return AUTH_KINDS[spec.type](spec)


def secret_keys(spec: AuthSpec) -> tuple[str, ...]:
    """What the source's secret must hold for its ``auth`` block, besides ``base_url``."""
    return AUTH_KINDS[spec.type].required_secret_keys(spec)
