"""Sandbox profile of OneLogin's events API (`GET /api/1/events`).

Tokens come from `POST /auth/oauth2/v2/token` (client credentials; the form-encoded variant carries
client_id and client_secret in the body). Events are filtered by `since` (OneLogin's UTC format,
YYYY-MM-DDThh:mm:ss.mscZ), sorted by `sort=+id` (oldest first), at most 50 a page (`limit`), and
continued with `pagination.after_cursor` -> `after_cursor`, the filter sent again; the last page has
no cursor. The body is OneLogin's envelope: `status`, `pagination` (before/after cursors and
previous/next links) and `data`.
"""

from __future__ import annotations

import hmac
import math
import re
from typing import Any, ClassVar
from urllib.parse import urlencode

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import OAuth2ClientCredentialsApi, limit_param, require_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import event_rng, iso_millis, make_people, pick, random_address
from eventframework.local.sandbox.pools import APPLICATIONS
from eventframework.local.sandbox.stream import Cursor

# OneLogin's event times (developers.onelogin.com/api-docs/1/events/event-resource): UTC,
# YYYY-MM-DDThh:mm:ss.mscZ; `since` takes the same form (the Get Events page's example
# since=2018-11-01T19:44:55.000Z). The sandbox also takes whole seconds.
_SINCE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")
MAX_LIMIT = 50
EVENT_ID_BASE = 900_000_000


class OneLoginEventsApi(OAuth2ClientCredentialsApi):
    """`GET /api/1/events?since=<time>&sort=+id&limit=N`, continued by `after_cursor`."""

    source_id: ClassVar[str] = "onelogin-events"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/1/events"
    token_path: ClassVar[str] = "/auth/oauth2/v2/token"
    rate_limit = 5000
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

    def authorized(self, request: ApiRequest) -> bool:
        """OneLogin's pages write `bearer:<access_token>`; the standard `Bearer <token>` works too."""
        given = request.authorization or ""
        return any(
            hmac.compare_digest(given, expected)
            for expected in (f"Bearer {self.access_token}", f"bearer:{self.access_token}")
        )

    def page_number(self, request: ApiRequest) -> int | None:
        text = request.query.get("after_cursor")
        if text is None:
            return 1
        cursor = Cursor.decode(text)
        return None if cursor is None else cursor.page

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = require_param(query, "since")
        if not _SINCE.fullmatch(since):
            raise BadRequest(
                "since",
                f"{since!r} is not a OneLogin time: UTC as YYYY-MM-DDThh:mm:ss.mscZ "
                "(e.g. 2018-11-01T19:44:55.000Z)",
            )
        if query.get("sort") != "+id":
            raise BadRequest("sort", "the sandbox lists oldest first only: pass sort=+id")
        limit = limit_param(query, "limit", MAX_LIMIT, MAX_LIMIT)
        if "after_cursor" in query:
            cursor = Cursor.decode(query["after_cursor"])
            if cursor is None:
                raise BadRequest("after_cursor", "is not a cursor this API issued")
            start, page = cursor.position, cursor.page
        else:
            start, page = self.stream.first_ingested_at_or_after(parse_time(since)), 1
        selection = self.stream.select(start, limit)
        after = None
        if selection.next_position < selection.total:
            after = Cursor(selection.next_position, page + 1, limit).encode()
        base = f"https://{link_host}" if link_host else self.base_url
        next_link = None
        if after is not None:
            kept = {k: v for k, v in query.items() if k != "after_cursor"}
            next_link = f"{base}{self.path}?{urlencode(kept | {'after_cursor': after})}"
        body = {
            "status": {"error": False, "code": 200, "type": "success", "message": "Success"},
            "pagination": {
                "before_cursor": None,
                "after_cursor": after,
                "previous_link": None,
                "next_link": next_link,
            },
            "data": self.stream.events(selection.positions),
        }
        return Reply.json(200, body)

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        """OneLogin's X-RateLimit-Reset counts the seconds left in the hour, not an epoch."""
        headers: list[tuple[str, str]] = []
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        if reset_in is not None:
            headers += [
                ("X-RateLimit-Limit", str(self.rate_limit)),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", str(math.ceil(reset_in))),
            ]
        return Reply.json(status, self.error_body(status), headers)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        kinds = {
            400: ("bad request", "Bad Request"),
            401: ("Unauthorized", "Authentication Failure"),
            403: ("forbidden", "Forbidden"),
            404: ("not found", "No Route Exists"),
            429: ("too many requests", "rate_limit_exceeded"),
        }
        kind, message = kinds.get(status, ("error", "Internal Server Error"))
        return {"status": {"error": True, "code": status, "type": kind, "message": detail or message}}


# (event_type_id, notes, has app, weight): mostly logins, now and then a failure or an
# administrative change (OneLogin's event type ids, as GET /api/1/events/types names them).
ONELOGIN_EVENTS = (
    (5, None, False, 40),  # USER_LOGGED_INTO_ONELOGIN
    (8, "Initiated by OneLogin via SAML", True, 30),  # USER_LOGGED_INTO_APP
    (6, None, False, 10),  # USER_FAILED_ONELOGIN_LOGIN
    (4, None, False, 4),  # USER_ASSIGNED_ROLE
    (1, None, True, 3),  # APP_ADDED_TO_ROLE
    (13, None, False, 4),  # CREATED_USER
    (19, None, False, 3),  # USER_LOCKED
    (24, None, False, 3),  # USER_REMOVED_OTP_DEVICE
    (3, None, False, 3),  # USER_ASSUMED_USER
)
ONELOGIN_EVENTS_CUMULATIVE = cumulative(ONELOGIN_EVENTS)
ROLES = ("Employees", "Engineering", "Administrators", "Contractors")
ACCOUNT_ID = 53413
ADMINS = 12  # the first people of the organisation administer it
SALT = 0x01E0


class OneLoginEventFactory:
    """Events shaped like OneLogin's Get Event by ID example: integer id (the stream position above
    a base, so ids grow as OneLogin's do), created_at with milliseconds, names of the people
    involved, the address, and nulls where the event type has nothing to say."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        kind, notes, with_app, _ = weighted(rng, ONELOGIN_EVENTS, ONELOGIN_EVENTS_CUMULATIVE)
        user_index = int(rng.random() * len(self._people))
        self_service = kind in (5, 6, 8, 19)
        actor_index = user_index if self_service else int(rng.random() * ADMINS)
        user, actor = self._people[user_index], self._people[actor_index]
        ip, _ = random_address(rng)
        app = pick(rng, APPLICATIONS) if with_app else None
        role = pick(rng, ROLES) if kind in (1, 4) else None
        risk = rng.randint(0, 95) if kind in (5, 6, 8) else None
        return {
            "id": EVENT_ID_BASE + position,
            "created_at": iso_millis(event_ms),
            "account_id": ACCOUNT_ID,
            "user_id": 10_000_000 + user_index,
            "event_type_id": kind,
            "notes": notes,
            "ipaddr": ip,
            "actor_user_id": 10_000_000 + actor_index,
            "assuming_acting_user_id": None,
            "role_id": 200_000 + ROLES.index(role) if role else None,
            "app_id": 700_000 + APPLICATIONS.index(app) if app else None,
            "group_id": None,
            "otp_device_id": rng.randint(1_000_000, 9_999_999) if kind == 24 else None,
            "policy_id": None,
            "actor_system": "",
            "custom_message": None,
            "role_name": role,
            "app_name": app,
            "group_name": None,
            "actor_user_name": actor.name,
            "user_name": user.name,
            "policy_name": None,
            "otp_device_name": "OneLogin Protect" if kind == 24 else None,
            "operation_name": None,
            "directory_sync_run_id": None,
            "directory_id": None,
            "resolution": None,
            "client_id": None,
            "resource_type_id": None,
            "error_description": None,
            "proxy_ip": None,
            "risk_score": risk,
            "risk_reasons": "Unrecognized device (20%)" if risk is not None and risk > 60 else None,
        }


PROFILES: dict[str, Profile] = {OneLoginEventsApi.source_id: (OneLoginEventsApi, OneLoginEventFactory)}
