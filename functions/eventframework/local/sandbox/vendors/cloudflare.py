"""Sandbox profile of Cloudflare's account audit logs (API v4, Audit Logs version 1).

`GET /client/v4/accounts/<account_id>/audit_logs` with a bearer API token, `since` (an RFC 3339
`full-date` or `date-time`), `direction` (the sandbox lists oldest first: `asc` only), `page` and
`per_page` (default 100, maximum 1000; larger values are clamped). Pages are numbered over the events
ingested at or after `since`, oldest first, so events that arrive while a listing is under way are
appended after it and never shift the pages already served. Bodies follow the v4 envelope
(`success`, `errors`, `messages`, `result`, `result_info`) and the reference's example event.
Reference: https://developers.cloudflare.com/api/resources/audit_logs/methods/list
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi, limit_param, require_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    ORG_DOMAIN,
    event_rng,
    make_people,
    pick,
    random_address,
    random_hex,
    random_uuid,
)

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
# The reference (cloudflare/api-schemas, operation audit-logs-get-account-audit-logs): `since` is a
# `full-date` (2019-04-30) or a `date-time` (2019-04-30T01:12:20Z), both RFC 3339.
_RFC3339_SINCE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?")


def _positive_int(query: dict[str, str], name: str, default: int) -> int:
    text = query.get(name, str(default))
    if not text.isdigit() or int(text) < 1:
        raise BadRequest(name, f"must be a number of at least 1, got {text!r}")
    return int(text)


class CloudflareAuditLogsApi(CatalogueApi):
    """`GET /client/v4/accounts/<account>/audit_logs?since=...&direction=asc&page=N&per_page=M`."""

    source_id: ClassVar[str] = "cloudflare-audit-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = f"/client/v4/accounts/{ACCOUNT_ID}/audit_logs"

    def page_number(self, request: ApiRequest) -> int | None:
        text = request.query.get("page", "1")
        return int(text) if text.isdigit() and int(text) >= 1 else None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        if query.get("direction") != "asc":
            raise BadRequest("direction", "the sandbox lists oldest first only: pass direction=asc")
        since = require_param(query, "since")
        if not _RFC3339_SINCE.fullmatch(since):
            raise BadRequest("since", "Invalid format for field: since (RFC 3339 full-date or date-time)")
        per_page = limit_param(query, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        number = _positive_int(query, "page", 1)
        first = self.stream.first_ingested_at_or_after(parse_time(since))
        selection = self.stream.select(first + (number - 1) * per_page, per_page)
        result = self.stream.events(selection.positions)
        info = {
            "page": number,
            "per_page": per_page,
            "count": len(result),
            "total_count": max(selection.total - first, 0),
        }
        return Reply.json(
            200, {"success": True, "errors": [], "messages": [], "result": result, "result_info": info}
        )

    def error_body(self, status: int, detail: str | None = None) -> Any:
        errors = {
            400: (1001, "Invalid request"),
            401: (10000, "Authentication error"),
            403: (10000, "Authentication error"),
            429: (971, "Please wait and consider throttling your request speed"),
        }
        code, message = errors.get(status, (10002, "An unknown error has occurred"))
        return {
            "success": False,
            "errors": [{"code": code, "message": f"{message}: {detail}" if detail else message}],
            "messages": [],
            "result": None,
        }


# (action.type, action.result, resource.type, weight): logins dominate, failures and sensitive
# changes (API tokens, members, the Global API key) are rare.
ACTIONS = (
    ("login", True, "user", 35),
    ("login", False, "user", 8),
    ("change_setting", True, "zone", 18),
    ("rec_add", True, "DNS_record", 10),
    ("rec_set", True, "DNS_record", 8),
    ("rec_del", True, "DNS_record", 5),
    ("purge", True, "zone", 5),
    ("token_create", True, "API_token", 4),
    ("member_add", True, "account", 3),
    ("member_remove", True, "account", 2),
    ("api_key_view", True, "user", 2),
)
ACTIONS_CUMULATIVE = cumulative(ACTIONS)
SETTINGS = (
    ("security_level", "firewall", "high", "medium"),
    ("ssl", "ssl", "strict", "full"),
    ("always_use_https", "ssl", "on", "off"),
    ("min_tls_version", "ssl", "1.2", "1.0"),
)
ZONES = (ORG_DOMAIN, f"status.{ORG_DOMAIN}", "sandbox-shop.example")
RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT")


class CloudflareAuditEventFactory:
    """Account audit log entries shaped like the reference's example: `action` {result, type},
    `actor` {id, email, ip, type}, `interface`, `metadata`, `newValue`/`oldValue`, `owner`, `resource`
    and `when` (RFC 3339 UTC, seconds)."""

    salt = 0xC1F1

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        self._user_ids = [
            random_hex(event_rng(seed, self.salt ^ 0xFFFF, index), 32) for index in range(len(self._people))
        ]

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        index = int(rng.random() * len(self._people))
        person, user_id = self._people[index], self._user_ids[index]
        kind, result, resource_type, _ = weighted(rng, ACTIONS, ACTIONS_CUMULATIVE)
        ip, _ = random_address(rng)
        zone = pick(rng, ZONES)
        metadata: dict[str, Any] = {}
        old_value = new_value = ""
        resource_id = user_id
        if resource_type == "zone":
            resource_id = random_hex(rng, 32)
            metadata = {"zone_name": zone}
            if kind == "change_setting":
                name, setting_type, new_value, old_value = pick(rng, SETTINGS)
                metadata |= {"name": name, "type": setting_type, "value": new_value}
        elif resource_type == "DNS_record":
            resource_id = random_hex(rng, 32)
            record_type = pick(rng, RECORD_TYPES)
            metadata = {"zone_name": zone, "name": f"app{rng.randint(1, 40)}.{zone}", "type": record_type}
            if kind == "rec_set":
                old_value, new_value = str(rng.randint(1, 3600)), str(rng.randint(1, 3600))
        elif resource_type == "API_token":
            resource_id = random_hex(rng, 32)
            metadata = {"token_name": pick(rng, ("terraform-ci", "dns-automation", "logpush"))}
        elif resource_type == "account":
            member = pick(rng, self._people)
            resource_id = ACCOUNT_ID
            metadata = {"member_email": member.email, "roles": ["Administrator Read Only"]}
        return {
            "id": random_uuid(rng),
            "action": {"result": result, "type": kind},
            "actor": {"id": user_id, "email": person.email, "ip": ip, "type": "user"},
            "interface": "UI" if kind == "login" else pick(rng, ("UI", "API", "API")),
            "metadata": metadata,
            "newValue": new_value,
            "oldValue": old_value,
            "owner": {"id": ACCOUNT_ID},
            "resource": {"id": resource_id, "type": resource_type},
            "when": datetime.fromtimestamp(event_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


PROFILES: dict[str, Profile] = {
    CloudflareAuditLogsApi.source_id: (CloudflareAuditLogsApi, CloudflareAuditEventFactory),
}
