"""Sandbox profile of the PagerDuty audit trail: `GET /audit/records` (REST API v2).

`Authorization: Token token=<API key>`. Records come newest first ("sorted by the execution_time from
newest to oldest"); `since` defaults to now minus 24 hours and `until` to now, and `until` may be at
most 31 days after `since` (both ISO 8601 date-times). Cursor-based pagination: `limit` is clamped to
the API's maximum (PagerDuty does not publish the number; 100 here), the body's `next_cursor` is sent
back as `cursor` and is null on the last page. Errors are PagerDuty's `{"error": {"message", "code",
"errors"}}`; a 429 carries ratelimit-limit, ratelimit-remaining and ratelimit-reset, the last in
seconds to wait (https://support.pagerduty.com/main/docs/rest-api-rate-limits).
"""

from __future__ import annotations

import hmac
import random
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import (
    CatalogueApi,
    PageToken,
    limit_param,
    page_of,
    require_token,
)
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    Person,
    event_rng,
    iso_millis,
    make_people,
    pick,
    random_address,
    random_token,
    random_uuid,
)

DAY_MS = 86_400_000
MAX_WINDOW_DAYS = 31
UPPER36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The reference's error document {"error": {"message", "code", "errors"}}; the codes are PagerDuty's
# error-code numbers as remembered (2001 Invalid Input Provided ...), not checked against its list here.
_ERRORS = {
    400: (2001, "Invalid Input Provided"),
    401: (2006, "Unauthorized"),
    402: (2012, "Payment Required"),
    403: (2010, "Access Denied"),
    429: (2020, "Rate Limit Exceeded"),
}


def _date_time(query: dict[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None:
        return None
    if "T" not in value:
        raise BadRequest(name, f"must be an ISO 8601 date-time, got {value!r}")
    try:
        return parse_time(value)
    except BadRequest:
        raise BadRequest(name, f"must be an ISO 8601 date-time, got {value!r}") from None


class PagerDutyAuditRecordsApi(CatalogueApi):
    """`GET /audit/records?since=...&limit=N`, continued by `cursor=<next_cursor>` (null at the end)."""

    source_id: ClassVar[str] = "pagerduty-audit-records"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/audit/records"
    auth_scheme: ClassVar[str] = "Token"
    rate_limit_headers = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
    rate_limit = 960

    def authorized(self, request: ApiRequest) -> bool:
        return hmac.compare_digest(request.authorization or "", f"Token token={self._token}")

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get("cursor"))

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        now_ms = int(now * 1000)
        since, until = _date_time(query, "since"), _date_time(query, "until")
        start = now_ms - DAY_MS if since is None else since
        end = now_ms if until is None else until
        if end < start:
            raise BadRequest("until", "must not be before since")
        if end - start > MAX_WINDOW_DAYS * DAY_MS:
            raise BadRequest("until", f"may not be more than {MAX_WINDOW_DAYS} days after since")
        limit = limit_param(query, "limit", 25, 100)
        if query.get("cursor"):
            token = require_token(query["cursor"], "cursor")
        else:
            low = self.stream.first_ingested_at_or_after(start)
            high = len(self.stream) if until is None else self.stream.first_ingested_at_or_after(end + 1)
            token = PageToken(low, max(high, low), 0, 1, limit)
        positions, following = token.newest_first()
        body = {
            "records": self.stream.events(positions),
            "next_cursor": following.encode() if following else None,
            "limit": token.limit,
        }
        return Reply.json(200, body)

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        """PagerDuty's ratelimit-reset is the number of seconds to wait, not a time."""
        headers: list[tuple[str, str]] = []
        wait = reset_in if reset_in is not None else retry_after
        if wait is not None:
            headers = [
                ("ratelimit-limit", str(self.rate_limit)),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", str(wait)),
            ]
        return Reply.json(status, self.error_body(status), headers)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        code, message = _ERRORS.get(status, (2000, "Internal Error"))
        error: dict[str, Any] = {"message": message, "code": code}
        if detail:
            error["errors"] = [detail]
        return {"error": error}


# (root resource type, resource type, action, weight); the details follow from the pair below.
PAGERDUTY_RECORDS = (
    ("schedule_reference", "schedule_reference", "update", 14),
    ("team_reference", "team_reference", "update", 14),
    ("escalation_policy_reference", "escalation_policy_reference", "update", 10),
    ("user_reference", "assignment_notification_rule_reference", "update", 10),
    ("user_reference", "user_reference", "update", 10),
    ("service_reference", "service_reference", "create", 8),
    ("user_reference", "user_reference", "create", 7),
    ("team_reference", "user_reference", "update", 6),
    ("user_reference", "contact_method", "update", 8),
    ("service_reference", "service_reference", "delete", 4),
    ("user_reference", "user_reference", "delete", 3),
    ("ip_allow_list_reference", "ip_allow_list_reference", "update", 3),
)
PAGERDUTY_RECORDS_CUMULATIVE = cumulative(PAGERDUTY_RECORDS)
TEAMS = ("Platform", "Payments On-Call", "Security", "Data Infrastructure")
SERVICES = ("checkout-api", "ledger-worker", "web-frontend", "vpn-gateway")
SCHEDULES = ("Primary - Platform", "Secondary - Payments", "Security weekly")
POLICIES = ("Platform escalation", "Payments escalation", "Security escalation")
# (method type, actor type, weight): most changes come from people in the web app.
METHODS = (
    ("browser", "user_reference", 60),
    ("api_token", "user_reference", 15),
    ("oauth", "app_reference", 8),
    ("api_token", "api_key_reference", 10),
    ("identity_provider", "user_reference", 7),
)
METHODS_CUMULATIVE = cumulative(METHODS)


def _pd_id(rng: random.Random) -> str:
    return "P" + random_token(rng, 6, UPPER36)


def _ref(kind: str, ident: str, summary: str | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"id": ident, "type": kind}
    if summary is not None:
        ref["summary"] = summary
    return ref


class PagerDutyAuditRecordFactory:
    """Audit records shaped like PagerDuty's examples: references of id, type and summary; `fields`
    with value/before_value, `references` with added/removed; ids unique by stream position."""

    salt = 0x9D70

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        ids = random.Random(((seed & 0xFFFFFFFF) << 16) | (self.salt ^ 0x1))
        self._user_ids = {person.email: _pd_id(ids) for person in self._people}

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        person = pick(rng, self._people)
        root_type, resource_type, action, _ = weighted(rng, PAGERDUTY_RECORDS, PAGERDUTY_RECORDS_CUMULATIVE)
        method_type, actor_type, _ = weighted(rng, METHODS, METHODS_CUMULATIVE)
        ip, _ = random_address(rng)
        subject = pick(rng, self._people)
        root = self._root(rng, root_type, subject)
        resource, details = self._change(rng, root, resource_type, action, subject)
        method: dict[str, Any] = {"type": method_type}
        if method_type in ("api_token", "oauth"):
            method["truncated_token"] = random_token(rng, 4, UPPER36.lower())
        return {
            "id": f"R{random_token(rng, 5, UPPER36)}{position:08X}",
            "execution_time": iso_millis(event_ms),
            "execution_context": {
                "request_id": random_uuid(rng),
                "remote_address": ip,
            },
            "actors": [self._actor(rng, actor_type, person)],
            "method": method,
            "root_resource": root,
            "action": action,
            "details": {"resource": resource} | details,
        }

    def _actor(self, rng: random.Random, actor_type: str, person: Person) -> dict[str, Any]:
        if actor_type == "api_key_reference":
            return _ref(actor_type, _pd_id(rng), None)
        if actor_type == "app_reference":
            return _ref(actor_type, _pd_id(rng), pick(rng, ("Terraform Cloud", "Incident Bot")))
        return _ref(actor_type, self._user_ids[person.email], person.name)

    def _root(self, rng: random.Random, root_type: str, subject: Person) -> dict[str, Any]:
        if root_type == "user_reference":
            return _ref(root_type, self._user_ids[subject.email], subject.name)
        if root_type == "ip_allow_list_reference":
            return _ref(root_type, random_token(rng, 26, UPPER36), None)
        names = {
            "team_reference": TEAMS,
            "service_reference": SERVICES,
            "schedule_reference": SCHEDULES,
            "escalation_policy_reference": POLICIES,
        }[root_type]
        return _ref(root_type, _pd_id(rng), pick(rng, names))

    def _change(
        self, rng: random.Random, root: dict[str, Any], resource_type: str, action: str, subject: Person
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The changed resource and the `fields` / `references` that say how it changed."""
        if resource_type == "contact_method":
            kind = pick(rng, ("sms_contact_method_reference", "email_contact_method_reference"))
            added = _ref(kind, _pd_id(rng), "Mobile")
            return dict(root), {"references": [{"name": "contact_methods", "added": [added]}]}
        if resource_type == root["type"]:
            resource = dict(root)
        elif resource_type == "user_reference":
            resource = _ref(resource_type, self._user_ids[subject.email], subject.name)
        else:
            channel = f"{rng.randint(0, 15)} minutes: channel {_pd_id(rng)}"
            resource = _ref(resource_type, _pd_id(rng), channel)
        if action in ("create", "delete"):
            key = "value" if action == "create" else "before_value"
            return resource, {"fields": [{"name": "name", key: str(root.get("summary", ""))}]}
        if resource_type == "team_reference":
            member = _ref("user_reference", self._user_ids[subject.email], subject.name)
            return resource, {"references": [{"name": "members", pick(rng, ("added", "removed")): [member]}]}
        return resource, {"fields": self._fields(rng, root, resource_type, subject)}

    def _fields(
        self, rng: random.Random, root: dict[str, Any], resource_type: str, subject: Person
    ) -> list[dict[str, str]]:
        """What an update changed, as `fields` with `before_value` and `value`."""
        if resource_type == "user_reference" and root["type"] == "team_reference":
            role = pick(rng, ("responder", "manager"))
            return [{"name": "team_role", "before_value": "observer", "value": role}]
        if resource_type == "user_reference":
            moved = f"{subject.email.split('@')[0]}@mail.example"
            return pick(
                rng,
                (
                    [{"name": "role", "before_value": "user", "value": "admin"}],
                    [{"name": "email", "before_value": subject.email, "value": moved}],
                    [{"name": "time_zone", "before_value": "America/Los_Angeles", "value": "Europe/London"}],
                ),
            )
        delay = str(rng.randint(1, 15))
        changes = {
            "schedule_reference": [
                {"name": "time_zone", "before_value": "Etc/UTC", "value": "Europe/Berlin"}
            ],
            "escalation_policy_reference": [{"name": "num_loops", "before_value": "0", "value": "2"}],
            "assignment_notification_rule_reference": [
                {"name": "start_delay_in_minutes", "before_value": "0", "value": delay}
            ],
            "ip_allow_list_reference": [{"name": "state", "before_value": "enabled", "value": "disabled"}],
        }
        return changes.get(resource_type, [])


PROFILES: dict[str, Profile] = {
    PagerDutyAuditRecordsApi.source_id: (PagerDutyAuditRecordsApi, PagerDutyAuditRecordFactory),
}
