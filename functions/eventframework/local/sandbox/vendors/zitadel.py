"""Sandbox profile of ZITADEL's event API (Admin API v1, ListEvents): `POST /admin/v1/events/_search`.

As the reference and the service's code (internal/api/grpc/admin/event.go) describe it: a JSON body
with `sequence`, `limit` (0 or absent = 1000, more is clamped to 1000), `asc` (default descending),
`editorUserId`, `eventTypes`, `aggregateId`, `aggregateTypes`, `resourceOwner`, the deprecated
`creationDate`, `from`, and `range {since, until}` (events younger than since, older than until;
range overrides from/creationDate). Timestamps are protobuf JSON (RFC 3339, `Z` or an offset). The
reply is `{"events": [...]}` and nothing else: no cursor and no count. Each event has `editor`,
`aggregate {id, type {type, localized}, resourceOwner}`, `sequence` (a uint64, so a JSON string),
`creationDate` (microseconds), `payload` and `type {type, localized}`.

A personal access token of a service user is sent as a Bearer token. Errors are grpc-gateway status
documents `{"code", "message", "details"}` (3 invalid argument, 16 unauthenticated, 7 permission
denied, 8 resource exhausted). The lower time bound applies to ingestion time (see
oldest_first_apis.py); the sandbox does not filter by event type, aggregate or editor.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import pick, rfc3339_micros

MAX_LIMIT = 1000
INSTANCE_ID = "259171855232368641"
ORG_ID = "259171855232434177"
# protobuf JSON Timestamp: RFC 3339, up to nine fractional digits, Z or a numeric offset.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")
KNOWN_FIELDS = frozenset(
    (
        "sequence", "limit", "asc", "editorUserId", "eventTypes", "aggregateId", "aggregateTypes",
        "resourceOwner", "creationDate", "range", "from",
    )
)  # fmt: skip
GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 429: 8}


def _timestamp(document: dict[str, Any], name: str) -> int | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise BadRequest(name, f"invalid google.protobuf.Timestamp value {value!r}")
    fraction = re.search(r"\.(\d+)", value)
    if fraction and len(fraction[1]) > 6:  # Python parses at most microseconds
        value = value.replace(fraction[0], "." + fraction[1][:6])
    return parse_time(value)


class ZitadelListEventsApi(CatalogueApi):
    """One response per request: up to `limit` events of the filter, oldest or newest first."""

    source_id: ClassVar[str] = "zitadel-events"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "/admin/v1/events/_search"

    def page_number(self, request: ApiRequest) -> int | None:
        return 1  # no paging: every request is the first page of its own filter

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        try:
            document = json.loads(request.body or b"{}")
        except ValueError as error:
            raise BadRequest("body", f"invalid JSON ({error})") from error
        if not isinstance(document, dict):
            raise BadRequest("body", "expected a JSON object")
        unknown = sorted(set(document) - KNOWN_FIELDS)
        if unknown:
            raise BadRequest(unknown[0], "unknown field")
        asc = document.get("asc", False)
        if not isinstance(asc, bool):
            raise BadRequest("asc", "must be true or false")
        limit = document.get("limit", 0)
        if isinstance(limit, str) and limit.isdigit():
            limit = int(limit)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise BadRequest("limit", f"invalid value {limit!r}")
        limit = MAX_LIMIT if limit == 0 or limit > MAX_LIMIT else limit
        since, until = self._bounds(document, asc)
        first = self.stream.first_ingested_at_or_after(since) if since is not None else 0
        positions = self.stream.select(first, len(self.stream) + 1, until).positions
        chosen = positions[:limit] if asc else positions[::-1][:limit]
        return Reply.json(200, {"events": self.stream.events(chosen)})

    def _bounds(self, document: dict[str, Any], asc: bool) -> tuple[int | None, int | None]:
        window = document.get("range")
        if window is not None:
            if not isinstance(window, dict) or set(window) - {"since", "until"}:
                raise BadRequest("range", "expected an object with since and/or until")
            return _timestamp(window, "since"), _timestamp(window, "until")
        start = _timestamp(document, "from")
        if start is None:
            start = _timestamp(document, "creationDate")
        return (start, None) if asc else (None, start)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: "invalid argument",
            401: "Errors.Token.Invalid (AUTH-7fs1e)",
            403: "No matching permissions found (AUTH-5mWD2)",
            404: "Not Found",
            429: "Errors.QuotaExceeded",
        }
        message = messages.get(status, "Errors.Internal")
        if detail:
            message = f"{message}: {detail}"
        return {"code": GRPC_CODES.get(status, 13), "message": message, "details": []}


# --- events ----------------------------------------------------------------------------------------

# (event type, localized message, aggregate type, editor service, weight)
EVENTS: tuple[tuple[str, str, str, str, int], ...] = (
    ("user.human.password.check.succeeded", "Password check succeeded", "user", "LOGIN", 22),
    ("user.token.added", "Access Token added", "user", "OIDC", 18),
    ("session.added", "Session added", "session", "zitadel.session.v2.SessionService", 10),
    ("user.human.password.check.failed", "Password check failed", "user", "LOGIN", 8),
    ("user.human.mfa.otp.check.succeeded", "Multifactor OTP check succeeded", "user", "LOGIN", 6),
    ("user.human.mfa.otp.check.failed", "Multifactor OTP check failed", "user", "LOGIN", 3),
    ("user.human.added", "Person added", "user", "zitadel.management.v1.ManagementService", 5),
    ("user.human.profile.changed", "Profile changed", "user", "zitadel.management.v1.ManagementService", 5),
    ("user.human.password.changed", "Password changed", "user", "LOGIN", 4),
    ("user.locked", "User locked", "user", "LOGIN", 2),
    ("user.human.mfa.otp.removed", "Multifactor OTP removed", "user", "zitadel.auth.v1.AuthService", 2),
    ("user.pat.added", "Personal Access Token added", "user", "zitadel.management.v1.ManagementService", 2),
    ("org.member.added", "Organization member added", "org", "zitadel.management.v1.ManagementService", 2),
    ("instance.member.added", "Administrator added", "instance", "zitadel.admin.v1.AdminService", 1),
    ("instance.policy.login.changed", "Login policy changed", "instance", "zitadel.admin.v1.AdminService", 1),
)  # fmt: skip
EVENTS_CUMULATIVE = cumulative(EVENTS)


def _snowflake(rng: Any) -> str:
    return str(259_000_000_000_000_000 + rng.randrange(10**15))


class ZitadelEventFactory(_Factory):
    """Events shaped like the reference's Event: the editor (the acting user), the aggregate with
    its resource owner, the aggregate's own sequence as a string, creationDate with microseconds,
    a payload by event type (none for some, as protojson leaves an empty payload out)."""

    salt = 0x21AD

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        kind, message, aggregate_type, service, _ = weighted(rng, EVENTS, EVENTS_CUMULATIVE)
        user_id = str(259_171_855_232_500_000 + int(person.okta_id.encode().hex(), 16) % 10**9)
        aggregate_id = {"instance": INSTANCE_ID, "org": ORG_ID}.get(aggregate_type, user_id)
        if aggregate_type == "session":
            aggregate_id = _snowflake(rng)
        payload: dict[str, Any] = {}
        if kind == "user.human.added":
            target = pick(rng, self._people)
            first, _, last = target.name.partition(" ")
            payload = {"userName": target.email, "firstName": first, "lastName": last, "email": target.email}
        elif kind.endswith(".member.added"):
            payload = {
                "userId": user_id,
                "roles": ["ORG_OWNER" if kind.startswith("org") else "IAM_OWNER_VIEWER"],
            }
        elif kind == "user.pat.added":
            payload = {"tokenId": _snowflake(rng), "expiration": "9999-12-31T23:59:59Z", "scopes": ["openid"]}
        elif "check" in kind or kind == "user.token.added":
            payload = {"userAgentID": _snowflake(rng), "preferredLanguage": "en"}
        event: dict[str, Any] = {
            "editor": {"userId": user_id, "displayName": person.name, "service": service},
            "aggregate": {
                "id": aggregate_id,
                "type": {
                    "type": aggregate_type,
                    "localized": {
                        "key": f"AggregateType.{aggregate_type}",
                        "localizedMessage": aggregate_type.title(),
                    },
                },
                "resourceOwner": INSTANCE_ID if aggregate_type == "instance" else ORG_ID,
            },
            "sequence": str(position + 1 if aggregate_type == "session" else 3 + position),
            "creationDate": rfc3339_micros(event_ms, rng.randrange(1000)),
            "type": {"type": kind, "localized": {"key": f"EventTypes.{kind}", "localizedMessage": message}},
        }
        if payload:  # protojson leaves an empty payload out
            event["payload"] = payload
        return event


PROFILES: dict[str, Profile] = {
    ZitadelListEventsApi.source_id: (ZitadelListEventsApi, ZitadelEventFactory),
}
