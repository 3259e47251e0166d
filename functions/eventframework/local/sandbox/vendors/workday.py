"""Sandbox profile of Workday's user activity log (Privacy REST API v1, "Get User Activity Logging").

`GET /ccx/api/privacy/v1/{tenant}/activityLogging?from=&to=&limit=&offset=&instancesReturned=`, as
Workday's resource description states it: `from` and `to` required (the reference's examples use
`%Y-%m-%dT%H:%M:%SZ`, e.g. 2022-04-17T08:15:00Z); `limit` up to 1000 (default 20); `offset` the
zero-based index of the first entry; `instancesReturned` bounds the window ("the value of 1 fetches
10,000 records"), so entries past instancesReturned x 10,000 are not served. The reply is
`{"total": N, "data": [...]}` (N the entries the window holds). `returnUserActivityEntryCount=true`
returns only the count (`[{"userActivityEntryCount": N}]`).

Access tokens come from the tenant's OAuth 2.0 token endpoint `/ccx/oauth2/{tenant}/token` with the
API client's non-expiring refresh token (`grant_type=refresh_token`, client id and secret as HTTP
basic auth or in the form); the refresh token is not rotated.

Errors are Workday's REST error document `{"error": ..., "errors": [{"error": ..., "field": ...}]}`.
The lower time bound applies to ingestion time (see oldest_first_apis.py), the upper to event time.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import (
    OAuth2RefreshTokenApi,
    limit_param,
    require_param,
)
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import iso_millis, pick, random_address, random_hex
from eventframework.local.sandbox.pools import AGENTS

TENANT = "example_tenant"
WORKDAY_CLIENT_ID = "ZWZ3LXNhbmRib3gtY2xpZW50"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 20
RECORDS_PER_INSTANCE = 10_000
# from/to: the reference's examples are UTC seconds with Z; fractions are tolerated.
_WORKDAY_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z")


def _moment(query: dict[str, str], name: str) -> int:
    value = require_param(query, name)
    if not _WORKDAY_TIME.fullmatch(value):
        raise BadRequest(name, f"must be a UTC date-time like 2022-04-17T08:15:00Z, got {value!r}")
    return parse_time(value)


def _count(query: dict[str, str], name: str, default: int, minimum: int) -> int:
    text = query.get(name, str(default))
    if not text.isdigit() or int(text) < minimum:
        raise BadRequest(name, f"must be an integer of at least {minimum}, got {text!r}")
    return int(text)


class WorkdayActivityLoggingApi(OAuth2RefreshTokenApi):
    """Offset/limit over one window [from, to]; `total` counts the window (capped by instancesReturned)."""

    source_id: ClassVar[str] = "workday-user-activity"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = f"/ccx/api/privacy/v1/{TENANT}/activityLogging"
    token_path: ClassVar[str] = f"/ccx/oauth2/{TENANT}/token"

    # --- OAuth 2.0 with the API client's refresh token (catalogue_api.OAuth2RefreshTokenApi) --------
    client_id: ClassVar[str] = WORKDAY_CLIENT_ID
    access_prefix: ClassVar[str] = "efw-sandbox-workday-access"

    def token_refusal(self, error: str) -> Reply:
        return Reply.json(401 if error == "invalid_client" else 400, {"error": error})

    def token_document(self) -> dict[str, Any]:
        """Workday's reply repeats the (non-expiring) refresh token."""
        return super().token_document() | {"token_type": "Bearer", "refresh_token": self.refresh_token}

    # --- the listing -------------------------------------------------------------------------------

    def page_number(self, request: ApiRequest) -> int | None:
        offset, limit = request.query.get("offset", "0"), request.query.get("limit", str(DEFAULT_LIMIT))
        if not (offset.isdigit() and limit.isdigit()) or int(limit) < 1:
            return None
        return int(offset) // min(int(limit), MAX_LIMIT) + 1

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        start, end = _moment(query, "from"), _moment(query, "to")
        if end < start:
            raise BadRequest("to", "must not be before from")
        limit = limit_param(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        offset = _count(query, "offset", 0, 0)
        capacity = _count(query, "instancesReturned", 1, 1) * RECORDS_PER_INSTANCE
        first = self.stream.first_ingested_at_or_after(start)
        window = self.stream.select(first, capacity, end + 1000).positions  # `to` covers its whole second
        if query.get("returnUserActivityEntryCount", "false").lower() == "true":
            return Reply.json(200, {"total": 1, "data": [{"userActivityEntryCount": len(window)}]})
        data = self.stream.events(window[offset : offset + limit])
        return Reply.json(200, {"total": len(window), "data": data})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: "invalid request",
            401: "invalid_token",
            403: "The task submitted is not authorized.",
            404: "Resource not found",
            429: "Too many requests",
        }
        message = messages.get(status, "An unexpected error occurred")
        document: dict[str, Any] = {"error": message}
        if detail:
            field, _, problem = detail.partition(": ")
            document["errors"] = [{"error": problem or detail, "field": field}]
        return document


# --- events ----------------------------------------------------------------------------------------

# (task display name, activity action, target descriptor kind, weight): what the log holds most is
# people looking at their own and their reports' data; security administration is rare.
TASKS: tuple[tuple[str, str, str, int], ...] = (
    ("View Worker", "READ", "worker", 24),
    ("My Pay Slips", "READ", "self", 12),
    ("Enter Time", "WRITE", "self", 12),
    ("Request Time Off", "WRITE", "self", 8),
    ("Change My Contact Information", "WRITE", "self", 6),
    ("Search", "READ", "none", 10),
    ("Compensation", "READ", "worker", 6),
    ("Change Job", "WRITE", "worker", 4),
    ("Export to Excel", "READ", "report", 4),
    ("Start Proxy", "WRITE", "worker", 2),
    ("Maintain Permissions for Security Group", "WRITE", "group", 2),
    ("Activate Pending Security Policy Changes", "WRITE", "policy", 1),
    ("Create Integration System User", "WRITE", "isu", 1),
    ("Reset Password", "WRITE", "worker", 2),
)  # fmt: skip
TASKS_CUMULATIVE = cumulative(TASKS)
DEVICES = ("Desktop", "Desktop", "Desktop", "Phone", "Tablet")
GROUPS = ("HR Partner", "Payroll Administrator", "Security Administrator", "Integration Partner")
REPORTS = ("Headcount by Cost Center", "Workers by Location", "Terminations This Quarter")


class WorkdayUserActivityEventFactory(_Factory):
    """Entries shaped like the reference's example: requestTime with milliseconds, the account,
    the task and its Workday ID, the signon's IP/user agent/device/session, and a target instance
    (`target` is absent where the task has none, e.g. a search)."""

    salt = 0x3D47

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        task, action, kind, _ = weighted(rng, TASKS, TASKS_CUMULATIVE)
        ip, _ = random_address(rng)
        agent = pick(rng, AGENTS)
        account = person.email.split("@", 1)[0]
        entry: dict[str, Any] = {
            "systemAccount": account,
            "activityAction": action,
            "requestTime": iso_millis(event_ms),
            "userAgent": agent.raw,
            "taskId": random_hex(rng, 32),
            "deviceType": pick(rng, DEVICES),
            "ipAddress": ip,
            "sessionId": random_hex(rng, 8),
            "taskDisplayName": task,
        }
        if kind != "none":
            entry["target"] = self._target(rng, kind, person.name)
        if rng.random() < 0.04:  # integrations run tasks without a browser session
            entry |= {"systemAccount": "ISU_Payroll_Integration", "deviceType": None, "userAgent": None}
        return entry

    def _target(self, rng: Any, kind: str, self_name: str) -> dict[str, Any]:
        other = pick(rng, self._people).name
        descriptor = {
            "worker": other,
            "self": self_name,
            "report": pick(rng, REPORTS),
            "group": pick(rng, GROUPS),
            "policy": "Security Policy Change",
            "isu": "ISU_Reporting_Integration",
        }[kind]
        target_id = random_hex(rng, 32)
        return {
            "id": target_id,
            "descriptor": descriptor,
            "href": f"https://wd2-impl-services1.workday.com/ccx/api/v1/{TENANT}/workers/{target_id}",
        }


PROFILES: dict[str, Profile] = {
    WorkdayActivityLoggingApi.source_id: (WorkdayActivityLoggingApi, WorkdayUserActivityEventFactory),
}
