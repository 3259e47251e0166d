"""JumpCloud Directory Insights: `POST /insights/directory/v1/events` with the administrator's API key
in `x-api-key` and a JSON query body: `service` (a list; required), `start_time` (RFC 3339, required
on every page), optional `end_time`, `limit` (default 1000, at most 10,000; a nonsensical value gives
the default), `sort` (ASC by default, case-insensitive; a nonsensical value falls back to ASC
silently), `fields` (a projection) and `search_after`. The body of a 200 is a JSON array of events;
the paging metadata travels in response headers: X-Result-Count, X-Limit, X-Sort, X-Request-Id and
X-Search_after, the JSON array to send back as `search_after` in the same query for the next page.
X-Search_after comes with every non-empty page, the last one too: a page is the last when
X-Result-Count is below X-Limit.

Reference: https://docs.jumpcloud.com/api/insights/directory/1.0/index.html (the OpenAPI document in
TheJumpCloud/jcapi-powershell, SwaggerSpecs/JumpCloud.SDK.DirectoryInsights.json). The sandbox serves
`"service": ["all"]`, ascending, only. `start_time` applies to ingestion time (see
oldest_first_apis.py), so an event indexed late is never hidden behind a window already read; event
ids are 24-hex object ids whose first 8 digits are the event's epoch seconds and whose last 12 carry
the stream position, which is how a `search_after` of [epoch ms, id] finds its place.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import ORG_DOMAIN, Person, iso_millis, pick, random_address
from eventframework.local.sandbox.pools import AGENTS, PLACES

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
POSITION_HEX = 12
# The `service` values the reference lists ("If you specify an invalid or unknown value for
# "service", the system responds with the list of supported values").
SERVICES = (
    "access_management",
    "alerts",
    "all",
    "asset_management",
    "directory",
    "ldap",
    "mdm",
    "notifications",
    "object_storage",
    "password_manager",
    "radius",
    "reports",
    "saas_app_management",
    "software",
    "sso",
    "systems",
)
# "yyyy-mm-ddTHH:mm:ssZ (timezone optional, reference RFC3339 or use Z)".
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def _query(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"null")
    except ValueError as error:
        raise BadRequest("body", f"is not JSON ({error})") from error
    if not isinstance(document, dict):
        raise BadRequest("body", "must be a JSON object (the event query)")
    return document


def _time(query: dict[str, Any], name: str) -> int:
    value = query.get(name)
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise BadRequest(name, f"must be an RFC 3339 UTC date such as 2020-01-01T14:00:00Z, got {value!r}")
    return parse_time(value)


def _limit(value: Any) -> int:
    """The reference: "any nonsensical values for the `limit` field will cause the system to return
    the default row count"."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_LIMIT:
        return value
    return DEFAULT_LIMIT


def _position(search_after: Any) -> int:
    """The stream position a `search_after` of this API ([epoch ms, event id]) continues after."""
    if isinstance(search_after, list) and len(search_after) == 2 and isinstance(search_after[1], str):
        event_id = search_after[1]
        if _OBJECT_ID.fullmatch(event_id):
            return int(event_id[-POSITION_HEX:], 16)
    raise BadRequest("search_after", "must be the X-Search_after header of a previous page")


def event_id(position: int, event_ms: int, rng_bits: int) -> str:
    """A 24-hex object id: epoch seconds, 4 random hex digits, the stream position."""
    return f"{event_ms // 1000:08x}{rng_bits & 0xFFFF:04x}{position:0{POSITION_HEX}x}"


class JumpCloudDirectoryInsightsApi(CatalogueApi):
    """`POST /insights/directory/v1/events` paged by the X-Search_after response header."""

    source_id: ClassVar[str] = "jumpcloud-directory-insights"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "/insights/directory/v1/events"
    auth_scheme: ClassVar[str] = "x-api-key"

    def authorized(self, request: ApiRequest) -> bool:
        return hmac.compare_digest(request.headers.get("x-api-key", ""), self._token)

    def page_number(self, request: ApiRequest) -> int | None:
        """1 without `search_after`; else which page of the query's listing it continues to."""
        try:
            query = _query(request.body)
            if query.get("search_after") is None:
                return 1
            first = self.stream.first_ingested_at_or_after(_time(query, "start_time"))
            return (_position(query["search_after"]) + 1 - first) // _limit(query.get("limit")) + 1
        except BadRequest:
            return None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = _query(request.body)
        services = query.get("service")
        if not isinstance(services, list) or not services or not all(isinstance(s, str) for s in services):
            raise BadRequest("service", 'is required: a list of service names such as ["all"]')
        unknown = sorted(set(services) - set(SERVICES))
        if unknown:
            raise BadRequest("service", f"unknown {unknown}; supported values: {list(SERVICES)}")
        if "all" not in services:
            raise BadRequest("service", 'the sandbox serves ["all"] only')
        start_ms = _time(query, "start_time")
        if start_ms > now * 1000:
            raise BadRequest("start_time", "is in the future")
        until_ms = None
        if query.get("end_time") is not None:
            until_ms = _time(query, "end_time")
            if until_ms <= start_ms:
                raise BadRequest("end_time", "must come after start_time")
        sort = query.get("sort", "ASC")
        if isinstance(sort, str) and sort.upper() == "DESC":
            raise BadRequest("sort", "the sandbox lists ascending only (leave sort out or send ASC)")
        fields = query.get("fields")
        if fields is not None and (not isinstance(fields, list) or not fields):
            raise BadRequest("fields", "must list at least one known field")
        limit = _limit(query.get("limit"))
        start = self.stream.first_ingested_at_or_after(start_ms)
        search_after = query.get("search_after")
        if search_after is not None:
            start = max(start, _position(search_after) + 1)
        selection = self.stream.select(start, limit, until_ms)
        whole = self.stream.events(selection.positions)
        events = whole if fields is None else [{k: e[k] for k in fields if k in e} for e in whole]
        digest = hashlib.sha256(request.body).digest()[:16]
        headers = [
            ("Content-Type", "application/json"),
            ("X-Result-Count", str(len(events))),
            ("X-Limit", str(limit)),
            ("X-Sort", "ASC"),
            ("X-Request-Id", str(uuid.UUID(bytes=digest, version=4))),
        ]
        if whole:
            after = [parse_time(whole[-1]["timestamp"]), whole[-1]["id"]]
            headers.append(("X-Search_after", json.dumps(after, separators=(",", ":"))))
        elif search_after is not None:
            headers.append(("X-Search_after", json.dumps(search_after, separators=(",", ":"))))
        return Reply(200, json.dumps(events, separators=(",", ":")).encode(), headers)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
        return {"message": detail or messages.get(status, "Internal Server Error")}


# (event_type, service, kind, weight): event types from the reference's event tables.
EVENT_TYPES: tuple[tuple[str, str, str, int], ...] = (
    ("sso_auth", "sso", "sso", 28),
    ("user_login_attempt", "directory", "user_login", 18),
    ("login_attempt", "systems", "device_login", 12),
    ("admin_login_attempt", "directory", "admin_login", 8),
    ("radius_auth", "radius", "radius", 8),
    ("ldap_bind", "ldap", "ldap", 5),
    ("user_update", "directory", "admin_change", 6),
    ("user_create", "directory", "admin_change", 3),
    ("group_update", "directory", "admin_change", 3),
    ("association_change", "directory", "admin_change", 3),
    ("policy_update", "directory", "admin_change", 1),
    ("admin_update", "directory", "admin_change", 1),
    ("user_group_admin_grant", "directory", "admin_change", 1),
    ("command_run", "directory", "admin_change", 1),
    ("user_lockout", "directory", "admin_change", 1),
    ("admin_totp_disable", "directory", "admin_change", 1),
)
EVENT_CUMULATIVE = cumulative(EVENT_TYPES)
APPLICATIONS = (("slack", "Slack"), ("github", "GitHub Enterprise"), ("aws", "AWS IAM Identity Center"))
LOGIN_ERRORS = ("invalid username or password", "mfa required", "user is locked out")
RADIUS_ERRORS = ('pap: Crypt digest does not match "known good" digest', "mschapv2: authentication failed")


def _object_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _useragent(raw_index: int) -> dict[str, str]:
    agent = AGENTS[raw_index]
    major, _, rest = agent.browser_version.partition(".")
    return {
        "os": agent.os_name,
        "minor": rest.partition(".")[0] or "0",
        "major": major,
        "build": "",
        "name": agent.browser.replace("_", " ").title(),
        "os_name": agent.os_name,
        "device": "Other",
    }


class JumpCloudEventFactory(_Factory):
    """Directory Insights events shaped like the reference's examples and attribute tables: `id`,
    `timestamp` (UTC, milliseconds, `Z`), `event_type`, `service`, `organization`, `@version`,
    `initiated_by` (users by username, administrators by email), `resource`, `client_ip`, `geoip`,
    `useragent` (parsed), `success`, `mfa` and, per service, `application`, `system`, `username`."""

    salt = 0x1C10

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self._organization = _object_id(f"organization-{seed}")

    def _user(self, person: Person, kind: str = "systemuser") -> dict[str, Any]:
        return {"type": kind, "id": _object_id(person.email), "username": _handle(person)}

    def _admin(self, person: Person) -> dict[str, Any]:
        return {"type": "admin", "id": _object_id("admin-" + person.email), "email": person.email}

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        event_type, service, kind, _ = weighted(rng, EVENT_TYPES, EVENT_CUMULATIVE)
        ip, _network = random_address(rng)
        place = pick(rng, PLACES)
        can_fail = kind.endswith("login") or kind in ("sso", "radius", "ldap")
        success = not (can_fail and rng.random() < 0.15)
        # Every event carries the same top-level keys (the sandbox's vendor shapes then drop one now
        # and then); a key a service does not fill is null, as the reference's examples send
        # "provider": null and "error_message": null.
        event: dict[str, Any] = {
            "@version": "1",
            "id": event_id(position, event_ms, rng.getrandbits(16)),
            "event_type": event_type,
            "service": service,
            "timestamp": iso_millis(event_ms),
            "organization": self._organization,
            "provider": None,
            "initiated_by": None,
            "resource": None,
            "username": None,
            "application": None,
            "system": None,
            "auth_method": None,
            "client_ip": ip,
            "geoip": {
                "timezone": "Etc/UTC",
                "continent_code": "NA" if place.country_code in ("US", "CA") else "EU",
                "region_code": place.state[:2].upper(),
                "country_code": place.country_code,
                "region_name": place.state,
            },
            "useragent": None,
            "mfa": rng.random() < 0.8,
            "mfa_meta": None,
            "changes": None,
            "error_message": None,
            "success": success,
        }
        event["mfa_meta"] = {"type": "totp" if event["mfa"] else "none"}
        if kind in ("sso", "user_login", "admin_login", "admin_change"):
            event["useragent"] = _useragent(rng.randrange(len(AGENTS)))
        if kind == "sso":
            name, label = pick(rng, APPLICATIONS)
            event["initiated_by"] = self._user(person)
            event["application"] = {
                "display_label": f"{label} SSO",
                "id": _object_id("app-" + name),
                "name": name,
                "sso_url": f"https://sso.jumpcloud.com/saml2/{name}",
            }
        elif kind == "user_login":
            event["initiated_by"] = self._user(person, "user")
            event["resource"] = self._user(person, "user")
            event["auth_method"] = "password"
        elif kind == "admin_login":
            event["resource"] = self._admin(person)
        elif kind == "device_login":
            event["initiated_by"] = self._user(person)
            event["username"] = _handle(person)
            event["system"] = {
                "hostname": f"{_handle(person).split('.')[0].upper()}-{rng.randint(100, 999)}",
                "id": _object_id(f"system-{person.email}"),
                "type": "system",
            }
        elif kind in ("radius", "ldap"):
            event["username"] = _handle(person)
            event["auth_method"] = "simple" if kind == "ldap" else None
        else:
            admin = pick(rng, self._people)
            event["initiated_by"] = self._admin(admin)
            event["auth_method"] = "session"
            event["resource"] = self._user(person)
            event["changes"] = [{"field": "department", "from": "", "to": "Security"}]
        if not success:
            event["error_message"] = pick(rng, RADIUS_ERRORS if kind == "radius" else LOGIN_ERRORS)
        return event


def _handle(person: Person) -> str:
    return person.email.removesuffix("@" + ORG_DOMAIN)


PROFILES: dict[str, Profile] = {
    JumpCloudDirectoryInsightsApi.source_id: (JumpCloudDirectoryInsightsApi, JumpCloudEventFactory),
}
