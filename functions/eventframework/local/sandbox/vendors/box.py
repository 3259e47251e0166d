"""Sandbox profile of Box's enterprise event history (`GET /2.0/events?stream_type=admin_logs`).

Reference: https://developer.box.com/reference/get-events/ (box/box-openapi, operation get_events):
`admin_logs` returns "the complete history of events ... in chronological order based on the event
time" within `created_after`/`created_before` (RFC 3339 date-times; https://developer.box.com/guides/
api-calls/types-and-formats/ prefers UTC such as `2013-04-17T09:12:36-00:00`), `limit` defaults to 100
and is at most 500, and every response carries `chunk_size`, `next_stream_position` and `entries`.
Box returns a stream position even when nothing follows: the listing ends on an empty chunk (the
guide https://developer.box.com/guides/events/enterprise-events/for-enterprise/). Events can be
recorded late, so `created_after` applies to ingestion time here (see oldest_first_apis.py).

Tokens come from the Client Credentials Grant (https://developer.box.com/guides/authentication/
client-credentials/): `POST /oauth2/token` with grant_type=client_credentials, client_id and
client_secret in the body, box_subject_type=enterprise and box_subject_id=<enterprise id>; a wrong
subject or wrong credentials answer 400 invalid_grant "Grant credentials are invalid". The sandbox
serves it at `/box/oauth2/token` (named in the secret's `token_url`, as other vendors' token
endpoints share this server).
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, SideRoute, parse_time
from eventframework.local.sandbox.catalogue_api import (
    ACCESS_TOKEN_SECONDS,
    SANDBOX_CLIENT_ID,
    OAuth2ClientCredentialsApi,
    limit_param,
)
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import pick, random_address, random_hex, random_uuid

BOX_ENTERPRISE_ID = "1134928"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Stream positions are large integers in Box's responses ("1152922976252290886"); the sandbox's
# carry the stream position and the page number: BASE + position * 1000 + page.
STREAM_BASE = 1_152_921_504_606_846_976
PAGES_PER_POSITION = 1000
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})")


def encode_position(position: int, page: int) -> str:
    return str(STREAM_BASE + position * PAGES_PER_POSITION + min(page, PAGES_PER_POSITION - 1))


def decode_position(text: str) -> tuple[int, int] | None:
    """(stream position, page) of a `stream_position` this API issued, else None."""
    if not text.isdigit() or int(text) < STREAM_BASE:
        return None
    position, page = divmod(int(text) - STREAM_BASE, PAGES_PER_POSITION)
    return (position, page) if page >= 1 else None


class BoxAdminEventsApi(OAuth2ClientCredentialsApi):
    """`GET /2.0/events?stream_type=admin_logs&created_after=<RFC 3339>&limit=N`, continued by
    `stream_position` = the previous chunk's `next_stream_position` until a chunk comes back empty."""

    source_id: ClassVar[str] = "box-admin-events"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/2.0/events"
    token_path: ClassVar[str] = "/box/oauth2/token"

    def credentials(self) -> dict[str, str]:
        return {
            "base_url": self.base_url,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": self._token,
            "enterprise_id": BOX_ENTERPRISE_ID,
            "token_url": f"{self.base_url}{self.token_path}",
        }

    def side_routes(self) -> dict[tuple[str, str], SideRoute]:
        return {("POST", self.token_path): self.issue_token}

    def issue_token(self, request: ApiRequest) -> Reply:
        """Box's client-credentials grant: credentials and subject in the form body."""
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Reply.json(
                400, {"error": "unsupported_grant_type", "error_description": "Grant type is not supported"}
            )
        secret_ok = hmac.compare_digest(form.get("client_secret", ""), self._token)
        if form.get("client_id") != SANDBOX_CLIENT_ID or not secret_ok:
            return Reply.json(
                400, {"error": "invalid_client", "error_description": "The client credentials are invalid"}
            )
        subject = (form.get("box_subject_type"), form.get("box_subject_id"))
        if subject != ("enterprise", BOX_ENTERPRISE_ID):
            return Reply.json(
                400, {"error": "invalid_grant", "error_description": "Grant credentials are invalid"}
            )
        document = {
            "access_token": self.access_token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "restricted_to": [],
            "token_type": "bearer",
        }
        return Reply.json(200, document)

    def page_number(self, request: ApiRequest) -> int | None:
        text = request.query.get("stream_position")
        if text in (None, "", "0"):
            return 1
        decoded = decode_position(text)
        return None if decoded is None else decoded[1] + 1

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        if query.get("stream_type") != "admin_logs":
            raise BadRequest("stream_type", "the sandbox serves the enterprise history only: admin_logs")
        created_after = query.get("created_after")
        if created_after is not None and not _RFC3339.fullmatch(created_after):
            raise BadRequest(
                "created_after",
                f"must be an RFC 3339 date-time such as 2013-04-17T09:12:36-00:00, got {created_after!r}",
            )
        limit = limit_param(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        text = query.get("stream_position")
        if text in (None, "", "0"):
            if created_after is None:
                raise BadRequest("created_after", "the sandbox needs a lower bound for admin_logs")
            start, page = self.stream.first_ingested_at_or_after(parse_time(created_after)), 1
        else:
            decoded = decode_position(text)
            if decoded is None:
                raise BadRequest("stream_position", "is not a stream position this API issued")
            start, page = decoded[0], decoded[1] + 1
        selection = self.stream.select(start, limit)
        body = {
            "chunk_size": len(selection.positions),
            "next_stream_position": encode_position(selection.next_position, page),
            "entries": self.stream.events(selection.positions),
        }
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        kinds = {
            400: ("bad_request", "Bad Request"),
            401: ("unauthorized", "Unauthorized"),
            403: ("forbidden", "Forbidden"),
            404: ("not_found", "Not Found"),
            429: ("rate_limit_exceeded", "Request rate limit exceeded, please try again later"),
        }
        code, message = kinds.get(status, ("internal_server_error", "Internal Server Error"))
        return {
            "type": "error",
            "status": status,
            "code": code,
            "help_url": "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/",
            "message": detail or message,
            "request_id": "efwsandbox0001",
        }


# (event_type, source kind, weight): the enterprise feed is mostly logins and content access, now
# and then a failure, an administrative change or a security alert (event types as Box lists them
# in the Event Type enum of box/box-openapi and the enterprise events guide).
BOX_EVENTS: tuple[tuple[str, str, int], ...] = (
    ("LOGIN", "user", 30),
    ("DOWNLOAD", "file", 16),
    ("PREVIEW", "file", 12),
    ("UPLOAD", "file", 10),
    ("FAILED_LOGIN", "user", 8),
    ("SHARE", "file", 5),
    ("COLLABORATION_INVITE", "folder", 4),
    ("DELETE", "file", 3),
    ("ADD_LOGIN_ACTIVITY_DEVICE", "user", 3),
    ("EDIT_USER", "user", 2),
    ("NEW_USER", "user", 2),
    ("CHANGE_ADMIN_ROLE", "user", 1),
    ("DEVICE_TRUST_CHECK_FAILED", "user", 1),
    ("SHIELD_ALERT", "user", 1),
    ("DISABLE_MULTI_FACTOR_AUTH", "user", 1),
)
BOX_EVENTS_CUMULATIVE = cumulative(BOX_EVENTS)
FILES = ("Q3 forecast.xlsx", "Board deck.pptx", "Payroll 2024-08.csv", "Roadmap.docx", "Contract.pdf")
FOLDERS = ("Finance", "Legal", "Engineering", "All Hands")
ADMINS = 6  # the first people of the organisation administer the enterprise
PACIFIC = timezone(timedelta(hours=-7))  # the enterprise's time zone, in which Box writes times


def _box_time(event_ms: int) -> str:
    """Box's times: RFC 3339 in the enterprise's zone, to the second, e.g. 2022-10-04T17:42:53-07:00."""
    return datetime.fromtimestamp(event_ms // 1000, tz=UTC).astimezone(PACIFIC).isoformat()


class BoxAdminEventFactory(_Factory):
    """Enterprise events shaped like Box's published examples: source, created_by (a mini user),
    action_by, created_at, event_id, event_type, ip_address, type, session_id, additional_details."""

    salt = 0xB0C5

    def _mini_user(self, index: int) -> dict[str, Any]:
        person = self._people[index]
        return {"type": "user", "id": str(20_000_000_000 + index), "name": person.name, "login": person.email}

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, _ = self.begin(position)
        kind, source_kind, _ = weighted(rng, BOX_EVENTS, BOX_EVENTS_CUMULATIVE)
        user_index = int(rng.random() * len(self._people))
        admin_action = kind in ("EDIT_USER", "NEW_USER", "CHANGE_ADMIN_ROLE", "DISABLE_MULTI_FACTOR_AUTH")
        actor_index = int(rng.random() * ADMINS) if admin_action else user_index
        owner = self._mini_user(user_index)
        source: dict[str, Any]
        if source_kind == "user":
            source = self._mini_user(user_index)
        else:
            item = pick(rng, FILES) if source_kind == "file" else pick(rng, FOLDERS)
            source = {
                "item_type": source_kind,
                "item_id": str(rng.randint(10**11, 10**12 - 1)),
                "item_name": item,
                "parent": {
                    "type": "folder",
                    "name": pick(rng, FOLDERS),
                    "id": str(rng.randint(10**9, 10**10)),
                },
                "owned_by": owner,
            }
        ip, _ = random_address(rng)
        details: dict[str, Any] | None = None
        if kind == "SHIELD_ALERT":
            details = {
                "shield_alert": {
                    "rule_category": "Suspicious Sessions",
                    "risk_score": rng.randint(60, 100),
                    "alert_summary": {"description": "Login from an unusual location and device"},
                }
            }
        elif kind in ("DOWNLOAD", "PREVIEW", "UPLOAD"):
            details = {
                "size": rng.randint(1_000, 50_000_000),
                "service_id": "0",
                "service_name": "Box Web App",
            }
        return {
            "source": source,
            "created_by": self._mini_user(actor_index),
            "action_by": None,
            "created_at": _box_time(event_ms),
            "event_id": random_uuid(rng),
            "event_type": kind,
            # Box writes "Unknown IP" where it has none (its examples); rare here.
            "ip_address": "Unknown IP" if rng.random() < 0.02 else ip,
            "type": "event",
            "session_id": random_hex(rng, 22) if kind != "FAILED_LOGIN" else None,
            "additional_details": details,
        }


PROFILES: dict[str, Profile] = {BoxAdminEventsApi.source_id: (BoxAdminEventsApi, BoxAdminEventFactory)}
