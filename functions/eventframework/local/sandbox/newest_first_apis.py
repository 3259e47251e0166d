"""Vendor endpoints that list newest first from a lower time bound, continued by an opaque token over
the slice the listing started on: Google Workspace Reports login activities (`nextPageToken`, JWT
bearer tokens from a service account), Slack audit logs (`next_cursor`) and Microsoft Graph sign-ins
(`@odata.nextLink`, OAuth2 client credentials).
"""

from __future__ import annotations

import base64
import json
from typing import Any, ClassVar
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Reply, SideRoute, parse_time
from eventframework.local.sandbox.catalogue_api import (
    CatalogueApi,
    OAuth2ClientCredentialsApi,
    PageToken,
    limit_param,
    page_of,
    require_param,
    require_token,
)
from eventframework.local.sandbox.generate import ORG_DOMAIN

GOOGLE_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_ASSERTION_SECONDS = 3600


class _NewestFirstApi(CatalogueApi):
    """Serves `PageToken` listings: the first request fixes [first position at or after the lower
    bound, current end); later ones walk down it."""

    token_param: ClassVar[str]

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get(self.token_param))

    def listing(
        self, query: dict[str, str], since_ms: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], str]:
        """This page's events newest first and the next token ("" when the listing is done)."""
        text = query.get(self.token_param)
        if text:
            token = require_token(text, self.token_param)
        else:
            low = self.stream.first_ingested_at_or_after(since_ms or 0)
            token = PageToken(low, max(len(self.stream), low), 0, 1, limit)
        positions, following = token.newest_first()
        return self.stream.events(positions), following.encode() if following else ""


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class GoogleLoginActivitiesApi(_NewestFirstApi):
    """`GET /admin/reports/v1/activity/users/all/applications/login?startTime=...` and the token
    endpoint `POST /token` taking an RS256 assertion signed with the service account's key."""

    source_id: ClassVar[str] = "google-workspace-login"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/admin/reports/v1/activity/users/all/applications/login"
    token_param: ClassVar[str] = "pageToken"
    token_path: ClassVar[str] = "/token"
    scope: ClassVar[str] = GOOGLE_SCOPE
    _key: rsa.RSAPrivateKey | None = None

    @property
    def key(self) -> rsa.RSAPrivateKey:
        """The service account's key, made on first use (RSA generation is the slow part)."""
        if self._key is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._key

    @property
    def access_token(self) -> str:
        return f"efw-sandbox-access.{self._token}"

    def authorized(self, request: ApiRequest) -> bool:
        return request.authorization == f"Bearer {self.access_token}"

    def credentials(self) -> dict[str, str]:
        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "base_url": self.base_url,
            "client_email": f"efw@{ORG_DOMAIN.split('.', 1)[0]}.iam.gserviceaccount.com",
            "private_key": pem,
            "token_uri": f"{self.base_url}{self.token_path}",
            "subject": f"admin@{ORG_DOMAIN}",
        }

    def side_routes(self) -> dict[tuple[str, str], SideRoute]:
        return {("POST", self.token_path): self.issue_token}

    def issue_token(self, request: ApiRequest) -> Reply:
        form = request.form()
        if form.get("grant_type") != JWT_BEARER:
            return Reply.json(400, {"error": "unsupported_grant_type"})
        problem = self._assertion_problem(form.get("assertion", ""))
        if problem is not None:
            return Reply.json(400, {"error": "invalid_grant", "error_description": problem})
        return Reply.json(
            200, {"access_token": self.access_token, "expires_in": 3599, "token_type": "Bearer"}
        )

    def _assertion_problem(self, assertion: str) -> str | None:
        try:
            header, claims, signature = assertion.split(".")
            self.key.public_key().verify(
                _b64decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
            payload = json.loads(_b64decode(claims))
        except (ValueError, InvalidSignature):
            return "Invalid JWT Signature."
        if payload.get("aud") != f"{self.base_url}{self.token_path}":
            return "Invalid JWT: audience is not this token endpoint."
        if self.scope not in str(payload.get("scope", "")).split():
            return f"Invalid JWT: the {self.scope.rsplit('/', 1)[-1]} scope is missing."
        if not payload.get("sub"):
            return "Invalid JWT: domain-wide delegation needs a subject (sub)."
        lifetime = int(payload.get("exp", 0)) - int(payload.get("iat", 0))
        if not 0 < lifetime <= MAX_ASSERTION_SECONDS:
            return "Invalid JWT: Token must be a short-lived token (60 minutes)."
        return None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = parse_time(require_param(query, "startTime"))
        items, following = self.listing(query, since, limit_param(query, "maxResults", 1000, 1000))
        body: dict[str, Any] = {"kind": "admin#reports#activities", "items": items}
        if following:
            body["nextPageToken"] = following
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: "Bad Request",
            401: "Request had invalid authentication credentials.",
            429: "Quota exceeded for quota metric 'Queries'.",
        }
        return {"error": {"code": status, "message": detail or messages.get(status, "Backend Error")}}


class SlackAuditLogsApi(_NewestFirstApi):
    """`GET /audit/v1/logs?oldest=<epoch s>`, continued by `cursor`; "" ends the listing."""

    source_id: ClassVar[str] = "slack-audit-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/audit/v1/logs"
    token_param: ClassVar[str] = "cursor"

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        oldest = query.get("oldest", "0")
        if not oldest.isdigit():
            raise BadRequest("oldest", f"must be epoch seconds, got {oldest!r}")
        entries, following = self.listing(query, int(oldest) * 1000, limit_param(query, "limit", 100, 9999))
        return Reply.json(200, {"entries": entries, "response_metadata": {"next_cursor": following}})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        errors = {
            400: "invalid_arguments",
            401: "invalid_auth",
            403: "not_allowed_token_type",
            429: "ratelimited",
        }
        return {"ok": False, "error": errors.get(status, "fatal_error")} | (
            {"detail": detail} if detail else {}
        )


class GraphSignInsApi(_NewestFirstApi, OAuth2ClientCredentialsApi):
    """`GET /v1.0/auditLogs/signIns?$filter=createdDateTime ge <time>`, continued by the absolute
    `@odata.nextLink` carrying `$skiptoken`; tokens from `POST /oauth2/v2.0/token` (.default scope)."""

    source_id: ClassVar[str] = "microsoft-graph-signins"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/v1.0/auditLogs/signIns"
    token_param: ClassVar[str] = "$skiptoken"
    token_path: ClassVar[str] = "/oauth2/v2.0/token"
    has_next_links: ClassVar[bool] = True

    def check_grant(self, form: dict[str, str]) -> str | None:
        if not form.get("scope", "").endswith("/.default"):
            return "AADSTS1002012: client credentials need a /.default scope"
        return None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = None
        if self.token_param not in query:
            condition = require_param(query, "$filter")
            if not condition.startswith("createdDateTime ge "):
                raise BadRequest("$filter", "the sandbox answers createdDateTime ge <time> filters only")
            since = parse_time(condition[len("createdDateTime ge ") :])
        size = limit_param(query, "$top", 1000, 1000)
        return self.odata_page(query, since, size, "auditLogs/signIns", link_host)

    def odata_page(
        self, query: dict[str, str], since: int | None, size: int, context: str, link_host: str | None
    ) -> Reply:
        """One OData collection page: ``value``, and ``@odata.nextLink`` carrying ``$skiptoken``
        while the listing goes on (on ``link_host`` when a fault asks for a foreign link)."""
        value, following = self.listing(query, since, size)
        body: dict[str, Any] = {"@odata.context": f"{self.base_url}/v1.0/$metadata#{context}", "value": value}
        if following:
            base = f"https://{link_host}" if link_host else self.base_url
            body["@odata.nextLink"] = (
                f"{base}{self.path}?{urlencode({'$top': size, '$skiptoken': following})}"
            )
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        codes = {
            400: "BadRequest",
            401: "InvalidAuthenticationToken",
            403: "Authorization_RequestDenied",
            429: "TooManyRequests",
        }
        return {
            "error": {"code": codes.get(status, "UnknownError"), "message": detail or codes.get(status, "")}
        }
