"""JWT bearer grant (RFC 7523) for service accounts: Google Workspace with domain-wide delegation.

The service account signs a short-lived RS256 assertion naming itself (``iss``), the scopes, the
token endpoint (``aud``) and, for domain-wide delegation, the admin it acts for (``sub``); the token
endpoint returns an access token that is cached like any OAuth2 token. The secret holds the fields of
the service-account key file (``client_email``, ``private_key``, ``token_uri``) plus ``subject``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from eventframework.definitions.auth_keys import AuthSpec
from eventframework.fetch import urls
from eventframework.fetch.auth import (
    TOKEN_CACHE,
    AuthContext,
    OAuth2ClientCredentialsAuth,
    TokenCache,
    require_credential,
)
from eventframework.fetch.credentials import secret_name
from eventframework.fetch.errors import CredentialsError

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def rs256_jwt(claims: dict[str, Any], private_key_pem: str) -> str:
    """A compact JWS (header.claims.signature) signed with RSASSA-PKCS1-v1_5 SHA-256."""
    # Imported here: cryptography costs ~0.1 s to import, and only JWT sources sign anything.
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the private key is not an RSA key")
    header = {"alg": "RS256", "typ": "JWT"}
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


class JwtBearerAuth(OAuth2ClientCredentialsAuth):
    """The token comes from a signed assertion instead of a client secret; caching is inherited."""

    secret_keys = ("client_email", "private_key", "token_uri", "subject")

    def __init__(self, spec: AuthSpec, cache: TokenCache = TOKEN_CACHE) -> None:
        super().__init__(spec, cache)

    def _token_url(self, ctx: AuthContext) -> str:
        configured = (
            ctx.credentials.get("token_uri") or ctx.credentials.get("token_url") or self.spec.token_url or ""
        )
        return configured if "://" in configured else urls.join(ctx.base_url, configured)

    def _key(self, ctx: AuthContext) -> tuple[str, str, str]:
        # The subject is part of the identity: one service account may act for several admins.
        email = require_credential(ctx.source, ctx.credentials, "client_email")
        subject = ctx.credentials.get("subject", "")
        return (self._token_url(ctx), f"{email}|{subject}", self.spec.scope or "")

    def grant(self, ctx: AuthContext, key: tuple[str, str, str]) -> tuple[dict[str, str], dict[str, str]]:
        token_url, _, scope = key
        now = int(ctx.now())
        claims: dict[str, Any] = {
            "iss": require_credential(ctx.source, ctx.credentials, "client_email"),
            "scope": scope,
            "aud": token_url,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
        }
        if ctx.credentials.get("subject"):
            claims["sub"] = ctx.credentials["subject"]
        pem = require_credential(ctx.source, ctx.credentials, "private_key")
        try:
            assertion = rs256_jwt(claims, pem)
        except (ValueError, TypeError) as exc:
            raise CredentialsError(
                ctx.source, secret_name(ctx.source), "key 'private_key' is not a PEM RSA private key"
            ) from exc
        form = {"grant_type": GRANT_TYPE, "assertion": assertion}
        return form, {"Accept": "application/json"}
