"""Sandbox profile of Zendesk Support's audit logs (`GET /api/v2/audit_logs`, Enterprise plan).

Cursor pagination as Zendesk documents it: `page[size]` (at most 100 records), `page[after]` with the
previous page's `meta.after_cursor`, `meta.has_more`, and `links.next` / `links.prev`. The sandbox
lists oldest first (`sort=created_at`; Zendesk's default is `-created_at`), what a client that
checkpoints on the cursor asks for. As Zendesk's cursors do, `after_cursor` points past the last
record of a page even when nothing more is there yet (`has_more` false), so a client resumes from it
later; an empty page carries no cursor. Auth is an OAuth access token (`Authorization: Bearer`).

Zendesk filters by time with `filter[created_at][]` given twice, the start and then the end ("you
must specify filter[created_at] twice"); the sandbox refuses any other use of the parameter, and
starts a listing without a cursor at the first record written at or after the start.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi, limit_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import ORG_DOMAIN, event_rng, make_people, pick, random_address
from eventframework.local.sandbox.stream import Cursor

MAX_PAGE_SIZE = 100
SORTS = ("created_at", "-created_at")
SUBDOMAIN = ORG_DOMAIN.split(".", 1)[0]
AUDIT_LOG_ID_BASE = 10_000_000_000


class ZendeskAuditLogsApi(CatalogueApi):
    """`GET /api/v2/audit_logs?sort=created_at&page[size]=N`, continued by `page[after]`."""

    source_id: ClassVar[str] = "zendesk-audit-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v2/audit_logs"

    def page_number(self, request: ApiRequest) -> int | None:
        text = request.query.get("page[after]")
        if text is None:
            return 1
        cursor = Cursor.decode(text)
        return None if cursor is None else cursor.page

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        window = request.values("filter[created_at][]")
        if len(window) not in (0, 2) or any(
            name.startswith("filter[created_at]") and name != "filter[created_at][]" for name in query
        ):
            raise BadRequest(
                "filter[created_at]",
                "must be given twice, first the start and then the end time (filter[created_at][]=...)",
            )
        since_ms = parse_time(window[0]) if window else 0
        sort = query.get("sort", "-created_at")
        if sort not in SORTS:
            raise BadRequest("sort", "must be created_at or -created_at")
        if sort != "created_at":
            raise BadRequest("sort", "the sandbox lists oldest first only: pass sort=created_at")
        if "per_page" in query or "page" in query:
            raise BadRequest(
                "page", "the sandbox serves cursor pagination only: use page[size] and page[after]"
            )
        size = limit_param(query, "page[size]", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        if "page[after]" in query:
            cursor = Cursor.decode(query["page[after]"])
            if cursor is None:
                raise BadRequest("page[after]", "is not a cursor this API issued")
            start, page = cursor.position, cursor.page
        else:
            start, page = self.stream.first_ingested_at_or_after(since_ms), 1
        selection = self.stream.select(start, size)
        records = self.stream.events(selection.positions)
        has_more = selection.next_position < selection.total
        after = Cursor(selection.next_position, page + 1, size).encode() if records else None
        base = f"https://{link_host}" if link_host else self.base_url
        next_link = None
        if has_more and after is not None:
            next_link = (
                f"{base}{self.path}?{urlencode({'sort': sort, 'page[size]': size, 'page[after]': after})}"
            )
        body = {
            "audit_logs": records,
            "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": None},
            "links": {"prev": None, "next": next_link},
        }
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        if status == 401:
            return {"error": "Couldn't authenticate you"}
        errors = {
            400: ("InvalidPaginationParameter", "Invalid request parameters"),
            403: ("Forbidden", "You do not have access to this page. Please contact the account owner."),
            404: ("InvalidEndpoint", "Not found"),
            429: ("TooManyRequests", "Rate limit exceeded. Please wait and try again."),
        }
        title, description = errors.get(status, ("InternalServerError", "Something went wrong"))
        return {"error": title, "description": detail or description}


# (action, action_label, source_type, change description, weight): business rules and tickets are
# routine, user and setting changes matter more, API tokens most.
ZENDESK_CHANGES = (
    ("login", "Logged in", "user", "Logged in with password", 30),
    ("update", "Updated", "rule", "Trigger conditions changed", 14),
    ("create", "Created", "rule", "Macro created", 8),
    ("update", "Updated", "ticket", "Ticket status changed from Open to Solved", 14),
    ("update", "Updated", "user", "Role changed from End User to Administrator", 5),
    ("update", "Updated", "user", "Role changed from Administrator to End User", 3),
    ("update", "Updated", "account_setting", "Two-factor authentication requirement turned off", 3),
    ("create", "Created", "apitoken", "API token created", 4),
    ("destroy", "Deleted", "apitoken", "API token deleted", 2),
    ("exported", "Exported", "ticket", "Ticket data export requested", 3),
    ("create", "Created", "zendesk/app_market/app", "App installed", 4),
    ("destroy", "Deleted", "user", "User deleted", 2),
)
ZENDESK_CHANGES_CUMULATIVE = cumulative(ZENDESK_CHANGES)
RULES = ("Notify requester of comment update", "Escalate VIP tickets", "Auto-close solved", "Route billing")
APPS = ("Slack", "Jira", "Salesforce", "Answer Bot")
SALT = 0x2E4D
ADMINS = 10  # the first people of the organisation are its Zendesk admins


class ZendeskAuditEventFactory:
    """Audit log records shaped like Zendesk's example: integer id (the stream position above a
    base), created_at in whole seconds with Z, the acting admin's id and name, the address, what
    was changed (source_type/id/label) and how (change_description), and the record's API url."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        action, label, source_type, description, _ = weighted(
            rng, ZENDESK_CHANGES, ZENDESK_CHANGES_CUMULATIVE
        )
        logging_in = action == "login"
        actor_index = int(rng.random() * (len(self._people) if logging_in else ADMINS))
        actor = self._people[actor_index]
        ip, _ = random_address(rng)
        record_id = AUDIT_LOG_ID_BASE + position
        if source_type == "user":
            target_index = actor_index if logging_in else int(rng.random() * len(self._people))
            source_id, source_label = 360_000_000 + target_index, self._people[target_index].name
        elif source_type == "rule":
            source_id, source_label = rng.randint(360_000, 369_999), pick(rng, RULES)
        elif source_type == "ticket":
            source_id = rng.randint(1000, 99_999)
            source_label = f"#{source_id}"
        elif source_type == "apitoken":
            source_id, source_label = (
                rng.randint(100, 999),
                pick(rng, ("SIEM export", "Deploy bot", "Zapier")),
            )
        elif source_type == "account_setting":
            source_id, source_label = 1, "Security settings"
        else:
            source_id, source_label = rng.randint(100_000, 999_999), pick(rng, APPS)
        moment = datetime.fromtimestamp(event_ms // 1000, tz=UTC)
        return {
            "action": action,
            "action_label": label,
            "actor_id": 360_000_000 + actor_index,
            "actor_name": actor.name,
            "change_description": description,
            "created_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "id": record_id,
            "ip_address": ip,
            "source_id": source_id,
            "source_label": source_label,
            "source_type": source_type,
            "url": f"https://{SUBDOMAIN}.zendesk.com/api/v2/audit_logs/{record_id}",
        }


PROFILES: dict[str, Profile] = {
    ZendeskAuditLogsApi.source_id: (ZendeskAuditLogsApi, ZendeskAuditEventFactory)
}
