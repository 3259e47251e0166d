"""Authentication kinds, one small class each, chosen through a typed registry (``auth_kinds.AUTH_KINDS``).

Every kind turns the source's credentials into request headers. OAuth2 client credentials fetches a
token from the token endpoint and caches it until shortly before it expires, so a Lambda container
reuses it across pages and runs. No kind ever puts a credential value into an error message.
"""

from __future__ import annotations

import base64
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

import requests

from eventframework.definitions.auth_keys import AuthSpec
from eventframework.fetch import urls
from eventframework.fetch.credentials import secret_name
from eventframework.fetch.errors import (
    CredentialsError,
    SourceAuthError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from eventframework.fetch.jsondoc import loads_text

Clock = Callable[[], float]


def require_credential(source: str, credentials: Mapping[str, str], key: str) -> str:
    value = credentials.get(key)
    if not isinstance(value, str) or not value:
        raise CredentialsError(source, secret_name(source), f"key '{key}' is missing or empty")
    return value


@dataclass(frozen=True)
class SignedRequest:
    """What a signing kind sees of the request: method, URL (may carry a query) and query params."""

    method: str
    url: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class AuthContext:
    """What an auth kind may use: the source id, its credentials, base URL, HTTP session and clock."""

    source: str
    credentials: Mapping[str, str]
    base_url: str
    session: requests.Session
    now: Clock


class Auth(ABC):
    """One authentication kind. ``headers`` is called for every request; ``invalidate`` after a 401.

    ``secret_keys``: what the kind reads from the source's secret, besides ``base_url`` (the deploy
    template's empty secret and the docs are written from it).
    """

    secret_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec: AuthSpec) -> None:
        self.spec = spec

    @classmethod
    def required_secret_keys(cls, spec: AuthSpec) -> tuple[str, ...]:
        """The secret's keys for ``spec``: the kind's own and those the token request names."""
        named = [match for value in spec.token_params.values() for match in _SECRET_FIELD.findall(value)]
        return tuple(dict.fromkeys([*cls.secret_keys, *named]))

    @abstractmethod
    def headers(self, ctx: AuthContext) -> dict[str, str]:
        """Headers that authenticate one request."""

    def request_headers(self, ctx: AuthContext, request: SignedRequest) -> dict[str, str]:
        """Headers for this exact request; kinds that sign the request itself (HMAC) override this."""
        return self.headers(ctx)

    def invalidate(self, ctx: AuthContext) -> bool:
        """Forget cached material after a 401; True when a retry with fresh material makes sense."""
        return False


class NoAuth(Auth):
    def headers(self, ctx: AuthContext) -> dict[str, str]:
        return {}


class HeaderAuth(Auth):
    """A token in a named header with an optional prefix (Okta: ``Authorization: SSWS <token>``)."""

    secret_keys = ("token",)

    def headers(self, ctx: AuthContext) -> dict[str, str]:
        token = require_credential(ctx.source, ctx.credentials, self.spec.credential)
        return {self.spec.header: f"{self.spec.prefix}{token}"}


class BearerAuth(Auth):
    secret_keys = ("token",)

    def headers(self, ctx: AuthContext) -> dict[str, str]:
        token = require_credential(ctx.source, ctx.credentials, self.spec.credential)
        return {"Authorization": f"Bearer {token}"}


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class BasicAuth(Auth):
    secret_keys = ("username", "password")

    def headers(self, ctx: AuthContext) -> dict[str, str]:
        user = require_credential(ctx.source, ctx.credentials, "username")
        password = require_credential(ctx.source, ctx.credentials, "password")
        return {"Authorization": basic_header(user, password)}


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float


class TokenCache:
    """Access tokens by (token URL, client id, scope), valid until ``expires_at`` minus a safety margin."""

    SAFETY_SECONDS = 60.0

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str], now: float) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
        if token is None or token.expires_at - self.SAFETY_SECONDS <= now:
            return None
        return token.value

    def put(self, key: tuple[str, str, str], value: str, expires_at: float) -> None:
        with self._lock:
            self._tokens[key] = _Token(value, expires_at)

    def drop(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


TOKEN_CACHE = TokenCache()
_SECRET_FIELD = re.compile(r"\{([a-z_]+)\}")


def _filled(ctx: AuthContext, value: str) -> str:
    """``value`` with each ``{key}`` replaced by the secret's value of key (a missing key is named)."""
    return _SECRET_FIELD.sub(lambda match: require_credential(ctx.source, ctx.credentials, match[1]), value)


class OAuth2ClientCredentialsAuth(Auth):
    """RFC 6749 §4.4: client id/secret from the secret, token URL from the secret or the definition."""

    secret_keys: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")

    def __init__(self, spec: AuthSpec, cache: TokenCache = TOKEN_CACHE) -> None:
        super().__init__(spec)
        self.cache = cache

    def _token_url(self, ctx: AuthContext) -> str:
        configured = ctx.credentials.get("token_url") or self.spec.token_url or ""
        return configured if "://" in configured else urls.join(ctx.base_url, configured)

    def _key(self, ctx: AuthContext) -> tuple[str, str, str]:
        return (
            self._token_url(ctx),
            require_credential(ctx.source, ctx.credentials, "client_id"),
            self.spec.scope or "",
        )

    def headers(self, ctx: AuthContext) -> dict[str, str]:
        key = self._key(ctx)
        token = self.cache.get(key, ctx.now()) or self._fetch(ctx, key)
        return {"Authorization": f"Bearer {token}"}

    def invalidate(self, ctx: AuthContext) -> bool:
        self.cache.drop(self._key(ctx))
        return True

    grant_type = "client_credentials"

    def grant_fields(self, ctx: AuthContext) -> dict[str, str]:
        """The grant's own form fields besides grant_type (none for client credentials)."""
        return {}

    def grant(self, ctx: AuthContext, key: tuple[str, str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """The token request's form and headers: the grant, the definition's ``token_params`` (which
        may override grant_type: Zoom's account_credentials), and the client's authentication."""
        _, client_id, scope = key
        secret = require_credential(ctx.source, ctx.credentials, "client_secret")
        form = {"grant_type": self.grant_type} | self.grant_fields(ctx) | ({"scope": scope} if scope else {})
        audience = ctx.credentials.get("audience") or self.spec.audience
        if audience:
            form["audience"] = audience.replace("{base_url}", ctx.base_url.rstrip("/"))
        form |= {name: _filled(ctx, value) for name, value in self.spec.token_params.items()}
        headers = {"Accept": "application/json"}
        if self.spec.client_auth == "basic":
            headers["Authorization"] = basic_header(client_id, secret)
        else:
            form |= {"client_id": client_id, "client_secret": secret}
        return form, headers

    def _fetch(self, ctx: AuthContext, key: tuple[str, str, str]) -> str:
        token_url = key[0]
        form, headers = self.grant(ctx, key)
        shown = urls.without_query(token_url)
        try:
            response = ctx.session.post(
                token_url, data=form, headers=headers, timeout=(5, 30), allow_redirects=False
            )
        except requests.Timeout as exc:
            raise SourceTimeoutError(ctx.source, shown, "token request", 30) from exc
        except requests.ConnectionError as exc:
            raise SourceUnavailableError(ctx.source, shown, None, "token endpoint unreachable") from exc
        if response.status_code >= 500:
            raise SourceUnavailableError(
                ctx.source, shown, response.status_code, f"token endpoint {response.status_code}"
            )
        if response.status_code != 200:
            raise SourceAuthError(ctx.source, shown, response.status_code)
        return self._store(ctx, key, response, shown)

    def _store(
        self, ctx: AuthContext, key: tuple[str, str, str], response: requests.Response, shown: str
    ) -> str:
        try:  # a hostile answer (nested past the recursion limit, a 5,000-digit number) is refused too
            payload = loads_text(response.text)
            token = payload["access_token"]
            lifetime = float(payload.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceAuthError(ctx.source, shown, response.status_code) from exc
        if not isinstance(token, str) or not token:
            raise SourceAuthError(ctx.source, shown, response.status_code)
        self.cache.put(key, token, ctx.now() + lifetime)
        return token


class OAuth2RefreshTokenAuth(OAuth2ClientCredentialsAuth):
    """RFC 6749 §6: a long-lived refresh token from the secret, exchanged for short-lived access tokens
    (Dropbox's offline access). The refresh token is not rotated: a vendor that issues a new one with
    every exchange (single-use refresh tokens) needs its own kind, as the stored one would go stale."""

    grant_type = "refresh_token"
    secret_keys = ("client_id", "client_secret", "refresh_token")

    def grant_fields(self, ctx: AuthContext) -> dict[str, str]:
        return {"refresh_token": require_credential(ctx.source, ctx.credentials, "refresh_token")}
