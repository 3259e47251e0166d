"""Sandbox profile of Tailscale's configuration audit log:
`GET /api/v2/tailnet/{tailnet}/logging/configuration?start=<RFC 3339>&end=<RFC 3339>`.

As the reference (https://tailscale.com/api, operation listConfigurationAuditLogs) describes it:
the API access token as a Bearer token or as the user name of HTTP basic auth (empty password);
`start` and `end` both required, RFC 3339; no pagination ("All results are returned at once"): one
response `{version, tailnet, logs}` holds the whole window, `logs` ordered chronologically. Errors
are `{"message": ...}`. The tailnet `-` is the token's own tailnet. The lower bound applies to
ingestion time (see oldest_first_apis.py), the upper bound to the event time.

Entries follow the `ConfigurationAuditLog` schema and its example: `eventTime` with microseconds,
`type` CONFIG, `deferredAt` (the zero time unless the rate limiter delayed the entry), an
`eventGroupID` shared by every entry of one operation (so not an event id), `origin`, `actor`,
`target` (with `property` when a field changed), `old`/`new`, and `error` when the change failed.
"""

from __future__ import annotations

import base64
import hmac
import re
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi, require_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    OKTA_ID_ALPHABET,
    ORG_DOMAIN,
    event_rng,
    make_people,
    pick,
    random_hex,
    random_token,
    rfc3339_micros,
)

TAILNET = ORG_DOMAIN
TAILNET_ID = "T7kLm3nPq2CNTRL"
ZERO_TIME = "0001-01-01T00:00:00Z"
# RFC 3339 date-time: seconds required, fractions optional, Z or a numeric offset.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _rfc3339(query: dict[str, str], name: str) -> int:
    value = require_param(query, name)
    if not _RFC3339.fullmatch(value):
        raise BadRequest(name, f"must be an RFC 3339 time like 2023-12-19T16:39:57-08:00, got {value!r}")
    return parse_time(value)


class TailscaleConfigurationAuditLogApi(CatalogueApi):
    """The whole window [start, end] in one response; a second request repeats the window."""

    source_id: ClassVar[str] = "tailscale-configuration-audit-log"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v2/tailnet/-/logging/configuration"

    def authorized(self, request: ApiRequest) -> bool:
        given = request.authorization or ""
        basic = "Basic " + base64.b64encode(f"{self._token}:".encode()).decode()
        return hmac.compare_digest(given, f"Bearer {self._token}") or hmac.compare_digest(given, basic)

    def page_number(self, request: ApiRequest) -> int | None:
        return 1  # no pagination: every request is the first (and only) page of its window

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        start, end = _rfc3339(query, "start"), _rfc3339(query, "end")
        if end < start:
            raise BadRequest("end", "must not be before start")
        first = self.stream.first_ingested_at_or_after(start)
        selection = self.stream.select(first, len(self.stream) + 1, end + 1)
        logs = self.stream.events(selection.positions)
        return Reply.json(200, {"version": "1.1", "tailnet": TAILNET, "logs": logs})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: "invalid request",
            401: "API token invalid",
            403: "calling actor does not have enough permissions to perform this function",
            404: "not found",
            429: "rate limit exceeded",
        }
        message = messages.get(status, "internal server error")
        return {"message": f"{message}: {detail}" if detail else message}


# (origin, target type, action, property, weight). Every generated entry changes a property, so
# every entry has `old` and `new` (the vendor omits both, and `error`, `actionDetails`, where they
# do not apply: page.json and the vendor example cover those shapes).
TAILSCALE_CHANGES = (
    ("ADMIN_CONSOLE", "NODE", "UPDATE", "MACHINE_NAME", 14),
    ("ADMIN_CONSOLE", "NODE", "UPDATE", "ACL_TAGS", 10),
    ("ADMIN_CONSOLE", "NODE", "DISABLE", "KEY_EXPIRY", 6),
    ("ADMIN_CONSOLE", "NODE", "ENABLE", "KEY_EXPIRY", 4),
    ("ADMIN_CONSOLE", "NODE", "UPDATE", "ALLOWED_IPS", 4),
    ("CONTROL", "NODE", "EXPIRED", "KEY_EXPIRY_TIME", 6),
    ("CONFIG_API", "TAILNET", "UPDATE", "ACL", 12),
    ("ADMIN_CONSOLE", "TAILNET", "UPDATE", "DNS_CONFIG", 6),
    ("ADMIN_CONSOLE", "TAILNET", "ENABLE", "MAGIC_DNS", 3),
    ("ADMIN_CONSOLE", "TAILNET", "DISABLE", "MACHINE_APPROVAL_NEEDED", 2),
    ("ADMIN_CONSOLE", "TAILNET", "UPDATE", "MAX_KEY_DURATION", 2),
    ("ADMIN_CONSOLE", "USER", "UPDATE", "USER_ROLE", 6),
    ("IDENTITY_PROVIDER", "USER", "PUSH_USER", "ATTRIBUTES", 4),
)
TAILSCALE_CHANGES_CUMULATIVE = cumulative(TAILSCALE_CHANGES)
_ROLES = ("member", "admin", "it-admin", "network-admin", "auditor")
_TAGS = ("tag:prod", "tag:db", "tag:ci", "tag:exit")
_HOSTS = ("db-primary", "build-runner", "vpn-exit", "laptop", "grafana", "bastion")


def _node_id(rng: Any) -> str:
    return "n" + random_token(rng, 11, OKTA_ID_ALPHABET) + "CNTRL"


class TailscaleConfigurationAuditLogFactory:
    """Entries shaped like the `ConfigurationAuditLog` example, each a property change of a node,
    the tailnet or a user; some were deferred by the audit-log rate limiter (`deferredAt` set)."""

    salt = 0x7A15

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        person = pick(rng, self._people)
        origin, target_type, action, prop, _ = weighted(rng, TAILSCALE_CHANGES, TAILSCALE_CHANGES_CUMULATIVE)
        user_id = "u" + person.okta_id[3:14] + "CNTRL"
        target: dict[str, Any] = {"type": target_type}
        entry: dict[str, Any] = {
            "action": action,
            "actor": {
                "displayName": person.name,
                "id": user_id,
                "loginName": person.email,
                "type": "USER",
            },
            "deferredAt": ZERO_TIME,
            "eventGroupID": random_hex(rng, 32),
            "eventTime": rfc3339_micros(event_ms, rng.randrange(1000)),
            "origin": origin,
            "target": target,
            "type": "CONFIG",
        }
        if target_type == "NODE":
            host = pick(rng, _HOSTS)
            target |= {"id": _node_id(rng), "name": f"{host}.tail4c2e1.ts.net", "isEphemeral": False}
        elif target_type == "TAILNET":
            target |= {"id": TAILNET_ID, "name": TAILNET}
        else:
            other = pick(rng, self._people)
            target |= {"id": "u" + other.okta_id[3:14] + "CNTRL", "name": other.email}
        if origin == "IDENTITY_PROVIDER":  # pushed by the identity provider's SCIM client: no login
            entry["actor"] = {"displayName": "SCIM", "id": "s" + user_id[1:], "type": "SCIM"}
        target["property"] = prop
        entry["old"], entry["new"] = _change(rng, prop)
        if rng.random() < 0.05:
            entry["deferredAt"] = rfc3339_micros(event_ms - 1000, rng.randrange(1000))
        return entry


# (old, new) of the properties whose values the generator does not vary.
_FIXED_CHANGES: dict[str, tuple[Any, Any]] = {
    "ACL": (
        '{"acls": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:prod:*"]}]}',
        '{"acls": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:prod:22"]}]}',
    ),
    "ALLOWED_IPS": (["100.64.0.7/32"], ["100.64.0.7/32", "10.20.0.0/16"]),
    "DNS_CONFIG": (
        {"magicDNS": True, "nameservers": ["1.1.1.1"]},
        {"magicDNS": True, "nameservers": ["9.9.9.9"]},
    ),
    "MAX_KEY_DURATION": (180, 90),
    "KEY_EXPIRY_TIME": ("", "expired"),
}
_DEPARTMENTS = ("Security", "Finance", "Engineering")


def _change(rng: Any, prop: str) -> tuple[Any, Any]:
    if prop in _FIXED_CHANGES:
        return _FIXED_CHANGES[prop]
    if prop == "ACL_TAGS":
        return [pick(rng, _TAGS)], sorted({pick(rng, _TAGS), pick(rng, _TAGS)})
    if prop == "USER_ROLE":
        return pick(rng, _ROLES), pick(rng, _ROLES)
    if prop == "ATTRIBUTES":
        return {"department": pick(rng, _DEPARTMENTS)}, {"department": pick(rng, _DEPARTMENTS)}
    if prop == "MACHINE_NAME":
        return pick(rng, _HOSTS), pick(rng, _HOSTS) + "-2"
    return True, False


PROFILES: dict[str, Profile] = {
    TailscaleConfigurationAuditLogApi.source_id: (
        TailscaleConfigurationAuditLogApi,
        TailscaleConfigurationAuditLogFactory,
    ),
}
