"""Tines audit logs: `GET /api/v1/audit_logs` on the tenant's host with `Authorization: Bearer <API
key>`, filtered by `after` (a timestamp), `per_page` (default 20, at most 500) and `page` (default 1),
with a `meta` object whose `next_page` is the absolute link to the following page (null on the last).

References: https://www.tines.com/api/audit-logs/list/ and https://www.tines.com/api/welcome (paging and
the meta object). Pages are numbered over the live list, newest first, as the vendor's page numbers
are: an entry written while a client pages shifts the older ones by one, so the client sees one of
them twice (never misses one). `after` applies to ingestion time (see oldest_first_apis.py), so a late
entry is never hidden behind a checkpoint. The reference does not state the timestamp's format; the
sandbox takes ISO 8601 as `created_at` is written.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_limit, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi, limit_param, require_param
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import random_address
from eventframework.local.sandbox.pools import AGENTS

MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 20
TENANT_ID = "1"
_ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


class TinesAuditLogsApi(CatalogueApi):
    """`GET /api/v1/audit_logs?after=<ISO 8601>&per_page=N[&page=P]`, continued by `meta.next_page`."""

    source_id: ClassVar[str] = "tines-audit-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v1/audit_logs"
    has_next_links: ClassVar[bool] = True

    def page_number(self, request: ApiRequest) -> int | None:
        try:
            return parse_limit(request.query.get("page", 1), 1 << 31)
        except BadRequest:
            return None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        after = require_param(query, "after")
        if not _ISO_8601.fullmatch(after):
            raise BadRequest(
                "after", f"must be an ISO 8601 timestamp such as 2022-06-24T08:35:21Z, got {after!r}"
            )
        per_page = limit_param(query, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        number = parse_limit(query.get("page", 1), 1 << 31)
        low = self.stream.first_ingested_at_or_after(parse_time(after))
        count = max(len(self.stream) - low, 0)
        pages = max(math.ceil(count / per_page), 1)
        top = len(self.stream) - (number - 1) * per_page
        positions = list(range(top - 1, max(low, top - per_page) - 1, -1)) if top > low else []
        base = f"https://{link_host}" if link_host else self.base_url

        def link(page: int) -> str:
            return f"{base}{self.path}?{urlencode({'after': after, 'page': page, 'per_page': per_page})}"

        meta = {
            "current_page": link(number),
            "previous_page": link(number - 1) if number > 1 else None,
            "next_page": link(number + 1) if number < pages else None,
            "per_page": per_page,
            "pages": pages,
            "count": count,
        }
        return Reply.json(200, {"audit_logs": self.stream.events(positions), "meta": meta})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
        return {"error": detail or messages.get(status, "Internal Server Error")}


# (operation_name, inputs builder key, weight): operations from the reference's logged-operations table
OPERATIONS: tuple[tuple[str, int], ...] = (
    ("ActionInputUpdate", 25),
    ("StoryItemsMovement", 20),
    ("StoryItemsCreation", 15),
    ("ActionRun", 15),
    ("ActionDescriptionChange", 8),
    ("AuthenticationTokenCreation", 4),
    ("AuthenticationTokenDeletion", 3),
    ("ActionMemoryClearance", 3),
    ("ActionLogsClearance", 3),
    ("ArchivedStoryDeletion", 2),
    ("ActionEgressControlRuleDeletion", 2),
)
OPERATIONS_CUMULATIVE = cumulative(OPERATIONS)


def _created_at(event_ms: int) -> str:
    """Tines' created_at: ISO 8601 UTC to the second, `Z`."""
    return datetime.fromtimestamp(event_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TinesAuditEventFactory(_Factory):
    """Audit logs with the reference's fields: created_at, operation_name, id, inputs, outputs,
    request_ip, request_user_agent, tenant_id, user_email, user_id, user_name."""

    salt = 0x7135

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        (operation, _) = weighted(rng, OPERATIONS, OPERATIONS_CUMULATIVE)
        ip, _ = random_address(rng)
        story_id = rng.randint(1000, 9999)
        action_id = rng.randint(10000, 99999)
        inputs: dict[str, Any] = {"storyId": story_id}
        if operation.startswith("StoryItems"):
            inputs["inputs"] = {"actionIds": [action_id, action_id + 1], "diagramNoteIds": []}
        elif operation.startswith("AuthenticationToken"):
            inputs = {"name": "SIEM export", "scope": "TEAM"}
        else:
            inputs["actionId"] = action_id
        return {
            "created_at": _created_at(event_ms),
            "operation_name": operation,
            "id": 19_000_000 + position,
            "inputs": inputs,
            "outputs": {},
            "request_ip": ip,
            "request_user_agent": AGENTS[rng.randrange(len(AGENTS))].raw,
            "tenant_id": TENANT_ID,
            "user_email": person.email,
            "user_id": str(rng.randint(1, 500)),
            "user_name": person.name,
        }


PROFILES: dict[str, Profile] = {
    TinesAuditLogsApi.source_id: (TinesAuditLogsApi, TinesAuditEventFactory),
}
