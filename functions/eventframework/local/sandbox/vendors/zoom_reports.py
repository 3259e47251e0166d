"""Sandbox profile of Zoom's operation logs report (`GET /v2/report/operationlogs`).

Reference: https://developers.zoom.us/docs/api/meetings/#tag/reports/GET/report/operationlogs
(operationId reportOperationLogs). `from` and `to` are required dates in `yyyy-mm-dd` form, at most
one month apart; `page_size` defaults to 30 and is at most 300; more results are continued with
`next_page_token` (empty on the last page, valid 15 minutes). Entries are listed newest first and
carry no id of their own: time, operator, category_type, action, operation_detail.

Tokens come from Server-to-Server OAuth (https://developers.zoom.us/docs/internal-apps/s2s-oauth/):
`POST https://zoom.us/oauth/token` with `grant_type=account_credentials&account_id=<account id>` and
`Authorization: Basic base64(client_id:client_secret)`; the token lives one hour and there is no
refresh token. Zoom documents the two fields as query parameters; the form body carries them equally
well, so the sandbox takes them from either. The sandbox serves that endpoint at `/zoom/oauth/token`
(Zoom's is on another host, and `/oauth/token` is Auth0's here) and names it in the secret's
`token_url`. The `from` bound applies to ingestion time (see oldest_first_apis.py).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, SideRoute
from eventframework.local.sandbox.catalogue_api import (
    ACCESS_TOKEN_SECONDS,
    SANDBOX_CLIENT_ID,
    OAuth2ClientCredentialsApi,
    PageToken,
    limit_param,
    page_of,
    require_param,
    require_token,
)
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import ORG_DOMAIN, pick
from eventframework.local.sandbox.pools import FIRST_NAMES, LAST_NAMES

ZOOM_ACCOUNT_ID = "EfwSandboxAcct00000001A"
ZOOM_SCOPE = "report:read:admin"
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300
MAX_RANGE_DAYS = 31
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_param(query: dict[str, str], name: str) -> date:
    text = require_param(query, name)
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadRequest(name, f"must be a date in yyyy-mm-dd format, got {text!r}") from error


class ZoomOperationLogsApi(OAuth2ClientCredentialsApi):
    """`GET /v2/report/operationlogs?from=<yyyy-mm-dd>&to=<yyyy-mm-dd>&page_size=N`, newest first,
    continued by `next_page_token` ("" on the last page)."""

    source_id: ClassVar[str] = "zoom-operation-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/v2/report/operationlogs"
    token_path: ClassVar[str] = "/zoom/oauth/token"

    def credentials(self) -> dict[str, str]:
        return {
            "base_url": self.base_url,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": self._token,
            "account_id": ZOOM_ACCOUNT_ID,
            "token_url": f"{self.base_url}{self.token_path}",
        }

    def side_routes(self) -> dict[tuple[str, str], SideRoute]:
        return {("POST", self.token_path): self.issue_token}

    def _basic_client_ok(self, request: ApiRequest) -> bool:
        given = request.authorization or ""
        if not given.startswith("Basic "):
            return False
        try:
            pair = base64.b64decode(given[len("Basic ") :], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        client_id, _, secret = pair.partition(":")
        return client_id == SANDBOX_CLIENT_ID and hmac.compare_digest(secret, self._token)

    def issue_token(self, request: ApiRequest) -> Reply:
        """Zoom's account_credentials grant: client credentials in a Basic header only."""
        fields = request.query | request.form()
        if not self._basic_client_ok(request):
            return Reply.json(
                401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
            )
        if fields.get("grant_type") != "account_credentials":
            return Reply.json(400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"})
        if fields.get("account_id") != ZOOM_ACCOUNT_ID:
            return Reply.json(400, {"reason": "Invalid account_id", "error": "invalid_request"})
        return Reply.json(
            200,
            {
                "access_token": self.access_token,
                "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_SECONDS,
                "scope": ZOOM_SCOPE,
                "api_url": self.base_url,
            },
        )

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get("next_page_token") or None)

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        start, end = _date_param(query, "from"), _date_param(query, "to")
        if end < start:
            raise BadRequest("to", "must not be before from")
        if (end - start).days > MAX_RANGE_DAYS:
            raise BadRequest("from", "the date range may be at most one month")
        size = limit_param(query, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        text = query.get("next_page_token")
        if text:
            token = require_token(text, "next_page_token")
        else:
            since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
            low = self.stream.first_ingested_at_or_after(int(since.timestamp() * 1000))
            token = PageToken(low, max(len(self.stream), low), 0, 1, size)
        positions, following = token.newest_first()
        body = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "page_size": size,
            "next_page_token": following.encode() if following else "",
            "operation_logs": self.stream.events(positions),
        }
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: (300, "Bad Request"),
            401: (124, "Invalid access token."),
            404: (1001, "Not found."),
            429: (429, "You have reached the maximum per-second rate limit for this API. Try again later."),
        }
        code, message = messages.get(status, (status, "Internal Server Error"))
        return {"code": code, "message": detail or message}


# (category_type, action, detail template, weight): what admins do, as the Operation Logs report
# shows it (support.zoom.us "Using the operation logs"): mostly user and setting changes, now and
# then a role, account, recording or sub account change.
OPERATIONS: tuple[tuple[str, str, str, int], ...] = (
    ("User", "Update", "Update User {target}: Department changed", 25),
    ("User", "Add", "Add User {target}", 10),
    ("User", "Delete", "Delete User {target}", 4),
    ("User", "Update", "Deactivate User {target}", 5),
    ("User Settings", "Update", "Update User Settings {target}: Cloud recording enabled", 15),
    ("Recording", "Delete", "Delete Recording {topic}", 8),
    ("Account", "Update", "Update Account Settings: Waiting room disabled", 5),
    ("Role", "Update", "Assign Role Admin to {target}", 4),
    ("Role", "Update", "Update Role Admin: Recording Management privilege added", 2),
    ("Sub Account", "Add", "Add Sub Account {topic}", 1),
    ("Webinar", "Update", "Update Webinar {topic}", 6),
    ("Zoom Rooms", "Update", "Update Zoom Room {topic}", 5),
    ("IM", "Update", "Update IM Group {topic}", 5),
)
OPERATIONS_CUMULATIVE = cumulative(OPERATIONS)
TOPICS = ("Quarterly Planning", "All Hands", "Board Room 4", "Security Review", "EMEA Sales")
ADMINS = 8  # the first people of the organisation administer the account


def _time(event_ms: int) -> str:
    """Zoom's `time`: UTC to the second with `Z`."""
    return datetime.fromtimestamp(event_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ZoomOperationLogFactory(_Factory):
    """Entries shaped like the reference's example: time, operator (an admin's email), category_type,
    action and operation_detail naming the user or object changed."""

    salt = 0x200F

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, target = self.begin(position)
        operator = self._people[int(rng.random() * ADMINS)]
        category, action, detail, _ = weighted(rng, OPERATIONS, OPERATIONS_CUMULATIVE)
        topic = pick(rng, TOPICS)
        if category == "Sub Account":
            topic = f"{pick(rng, LAST_NAMES)} {pick(rng, FIRST_NAMES)} Ltd ({ORG_DOMAIN})"
        return {
            "time": _time(event_ms),
            "operator": operator.email,
            "category_type": category,
            "action": action,
            "operation_detail": detail.format(target=target.email, topic=topic),
        }


PROFILES: dict[str, Profile] = {
    ZoomOperationLogsApi.source_id: (ZoomOperationLogsApi, ZoomOperationLogFactory),
}
