"""What the catalogue's vendor APIs share: error replies with rate-limit headers, opaque page
tokens over a fixed slice of the stream, and the OAuth2 token endpoint (client credentials).

Each vendor module then only says how its first request filters, how it pages and what its bodies
look like. Continuation tokens pin the slice a listing started on (its lowest and highest position),
so events ingested mid-listing never shift the pages of a listing already under way, as vendors'
snapshot cursors behave.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import math
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Reply, SideRoute, SourceApi, parse_limit

SANDBOX_CLIENT_ID = "efw-sandbox-client"
ACCESS_TOKEN_SECONDS = 3600


@dataclass(frozen=True)
class PageToken:
    """A listing of positions [low, high) in `order` ("asc" from low, "desc" from high), `done`
    positions in, `page` pages served so far; base64 JSON, opaque to clients."""

    low: int
    high: int
    done: int
    page: int
    limit: int

    def encode(self) -> str:
        raw = json.dumps([self.low, self.high, self.done, self.page, self.limit], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> PageToken | None:
        try:
            values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            token = cls(*(int(value) for value in values))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            return None
        if min(token.low, token.done) < 0 or token.high < token.low or token.page < 1 or token.limit < 1:
            return None
        return token

    def newest_first(self) -> tuple[list[int], PageToken | None]:
        """This page's positions, newest first, and the token of the next page (None at the end)."""
        top = self.high - self.done
        bottom = max(self.low, top - self.limit)
        positions = list(range(top - 1, bottom - 1, -1))
        following = PageToken(self.low, self.high, self.done + len(positions), self.page + 1, self.limit)
        return positions, following if bottom > self.low else None


def page_of(token_text: str | None) -> int | None:
    """`SourceApi.page_number` for token-paged APIs: 1 without a token, None for a foreign one."""
    if token_text is None:
        return 1
    token = PageToken.decode(token_text)
    return None if token is None else token.page


def require_token(text: str, parameter: str) -> PageToken:
    token = PageToken.decode(text)
    if token is None:
        raise BadRequest(parameter, "is not a token this API issued")
    return token


def require_param(query: dict[str, str], name: str) -> str:
    value = query.get(name)
    if not value:
        raise BadRequest(name, "is required")
    return value


def limit_param(query: dict[str, str], name: str, default: int, maximum: int) -> int:
    """Vendors clamp oversize page sizes rather than refuse them (GitHub, Slack, Graph do)."""
    return min(parse_limit(query.get(name, default), 1 << 31), maximum)


class CatalogueApi(SourceApi):
    """A vendor endpoint: vendors implement `page` and `error_body`; errors, 400s, 401s and
    rate-limit headers are handled here the same way for all of them."""

    auth_scheme: ClassVar[str] = "Bearer"
    has_next_links: ClassVar[bool] = False
    # (limit, remaining, reset) header names the vendor sends with a 429, or None.
    rate_limit_headers: ClassVar[tuple[str, str, str] | None] = None
    rate_limit: ClassVar[int] = 1000

    def serve(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        try:
            return self.page(request, now, link_host)
        except BadRequest as problem:
            return Reply.json(400, self.error_body(400, f"{problem.parameter}: {problem.problem}"))

    @abstractmethod
    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        """The reply to a well-formed, authorised request; raise `BadRequest` for a bad one."""

    @abstractmethod
    def error_body(self, status: int, detail: str | None = None) -> Any:
        """The vendor's JSON error document for `status`."""

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        headers: list[tuple[str, str]] = []
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        if reset_in is not None and self.rate_limit_headers is not None:
            limit, remaining, reset = self.rate_limit_headers
            headers += [
                (limit, str(self.rate_limit)),
                (remaining, "0"),
                (reset, str(math.ceil(now) + reset_in)),
            ]
        return Reply.json(status, self.error_body(status), headers)

    def unauthorized(self, now: float) -> Reply:
        return Reply.json(401, self.error_body(401))


class OAuth2ClientCredentialsApi(CatalogueApi):
    """An API whose bearer tokens come from an OAuth2 client-credentials token endpoint.

    The client secret is the sandbox token; the access token issued is derived from it, so a wrong
    secret gets no token and an old or forged token gets a 401 from the event endpoint.
    """

    token_path: ClassVar[str]

    @property
    def access_token(self) -> str:
        return f"efw-sandbox-access.{self._token}"

    def authorized(self, request: ApiRequest) -> bool:
        return hmac.compare_digest(request.authorization or "", f"Bearer {self.access_token}")

    def credentials(self) -> dict[str, str]:
        return {"base_url": self.base_url, "client_id": SANDBOX_CLIENT_ID, "client_secret": self._token}

    def side_routes(self) -> dict[tuple[str, str], SideRoute]:
        return {("POST", self.token_path): self.issue_token}

    def check_grant(self, form: dict[str, str]) -> str | None:
        """Vendor-specific checks on top of the client credentials; returns a refusal or None."""
        return None

    def issue_token(self, request: ApiRequest) -> Reply:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Reply.json(400, {"error": "unsupported_grant_type"})
        secret_ok = hmac.compare_digest(form.get("client_secret", ""), self._token)
        if form.get("client_id") != SANDBOX_CLIENT_ID or not secret_ok:
            return Reply.json(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        refusal = self.check_grant(form)
        if refusal is not None:
            return Reply.json(403, {"error": "access_denied", "error_description": refusal})
        document = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
        }
        return Reply.json(200, document)


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(user, password) of an HTTP Basic authorization header, or None."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[len("Basic ") :], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


class OAuth2RefreshTokenApi(OAuth2ClientCredentialsApi):
    """An API whose bearer tokens come from RFC 6749 §6 refresh-token grants (Dropbox, Workday): the
    client's id and secret as HTTP Basic or in the form, the long-lived refresh token in the form.

    Vendors name their client id, their access-token prefix, how they word a refusal
    (`token_refusal`), any check of their own (`check_refresh`) and the reply (`token_document`).
    """

    client_id: ClassVar[str] = SANDBOX_CLIENT_ID
    access_prefix: ClassVar[str] = "efw-sandbox-access"
    access_token_seconds: ClassVar[int] = ACCESS_TOKEN_SECONDS

    @property
    def access_token(self) -> str:
        return f"{self.access_prefix}.{self._token}"

    @property
    def refresh_token(self) -> str:
        return f"efw-sandbox-refresh.{self._token}"

    def credentials(self) -> dict[str, str]:
        return {
            "base_url": self.base_url,
            "client_id": self.client_id,
            "client_secret": self._token,
            "refresh_token": self.refresh_token,
            "token_url": f"{self.base_url}{self.token_path}",
        }

    def token_refusal(self, error: str) -> Reply:
        """The vendor's reply to a bad grant (``invalid_client``, ``invalid_grant``, ...)."""
        return Reply.json(400, {"error": error})

    def check_refresh(self, form: dict[str, str]) -> Reply | None:
        """A vendor's own check of a well-formed grant; its refusal, or None."""
        return None

    def token_document(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.access_token_seconds,
        }

    def issue_token(self, request: ApiRequest) -> Reply:
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return self.token_refusal("unsupported_grant_type")
        client_id, secret = basic_credentials(request.authorization) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        if client_id != self.client_id or not hmac.compare_digest(secret, self._token):
            return self.token_refusal("invalid_client")
        if not hmac.compare_digest(form.get("refresh_token", ""), self.refresh_token):
            return self.token_refusal("invalid_grant")
        return self.check_refresh(form) or Reply.json(200, self.token_document())
