"""Sandbox profile of the Google Workspace Alert Center API: alerts.list.

`GET /v1beta1/alerts` authenticates like the Reports API (a service account's RS256 JWT assertion,
domain-wide delegation, exchanged at the token endpoint) and pages the same way (`nextPageToken` ->
`pageToken` over the listing the first request opened, newest first), so the API is a subclass of
`GoogleLoginActivitiesApi`. It differs in what it checks: the assertion must carry the
`https://www.googleapis.com/auth/apps.alerts` scope; the lower bound is the `filter` expression
`createTime >= "<RFC 3339>"` (Alert Center's query filter syntax,
https://developers.google.com/workspace/admin/alertcenter/reference/filter-fields); `orderBy` must be
`createTime desc` (the sandbox serves newest first only; Google also supports `createTime asc` and
`updateTime desc`); `pageSize` is clamped at 1000 (Google documents no maximum, only that the server
may return fewer). As in vendors/google_reports.py, the token endpoint has a path of its own
(`/token/alertcenter`, the key file's `token_uri`): every source shares one sandbox host, and each
Google API holds its own service-account key.

The factory makes Alert resources as the reference describes them
(https://developers.google.com/workspace/admin/alertcenter/reference/rest/v1beta1/alerts): `alertId`,
`customerId` (without the leading C), `createTime`/`startTime`/`updateTime`, `type` and `source` as
the alert types page names them, `data` with its `@type` (AccountWarning with `email` and
`loginDetails`, MailPhishing, DeviceCompromised, StateSponsoredAttack, AppsOutage), and `metadata`
with `severity` (HIGH, MEDIUM, LOW, or "" when undetermined), `status` and `assignee`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import limit_param, require_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    ORG_DOMAIN,
    Person,
    event_rng,
    iso_millis,
    make_people,
    pick,
    random_address,
    random_hex,
    random_token,
    random_uuid,
)
from eventframework.local.sandbox.newest_first_apis import (
    GoogleLoginActivitiesApi,
)

ALERTS_SCOPE = "https://www.googleapis.com/auth/apps.alerts"
CUSTOMER_ID = "03az79cb"
TYPE_PREFIX = "type.googleapis.com/google.apps.alertcenter.type."
# createTime >= "<RFC 3339>": a date-time with T, optional fractions, Z or an offset.
_CREATED_SINCE = re.compile(
    r'createTime\s*>=\s*"(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))"'
)
ETAG_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_="


class GoogleAlertCenterApi(GoogleLoginActivitiesApi):
    """`GET /v1beta1/alerts?filter=createTime >= "..."&orderBy=createTime desc`, continued by
    `pageToken`; tokens from `POST /token/alertcenter` for an assertion with the apps.alerts scope."""

    source_id: ClassVar[str] = "google-workspace-alerts"
    path: ClassVar[str] = "/v1beta1/alerts"
    token_path: ClassVar[str] = "/token/alertcenter"
    scope: ClassVar[str] = ALERTS_SCOPE

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = _CREATED_SINCE.fullmatch(require_param(query, "filter").strip())
        if since is None:
            raise BadRequest(
                "filter",
                'the sandbox answers createTime >= "<time>" only, the time in RFC 3339 as the Alert '
                'Center filter fields document it (for example "2018-01-01T00:00:00Z")',
            )
        if query.get("orderBy") != "createTime desc":
            raise BadRequest("orderBy", "the sandbox lists newest first only: pass createTime desc")
        alerts, following = self.listing(
            query, parse_time(since["time"]), limit_param(query, "pageSize", 100, 1000)
        )
        body: dict[str, Any] = {"alerts": alerts}
        if following:
            body["nextPageToken"] = following
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        states = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            429: "RESOURCE_EXHAUSTED",
        }
        messages = {
            400: "Request contains an invalid argument.",
            401: "Request had invalid authentication credentials.",
            429: "Quota exceeded for quota metric 'Read requests' of service 'alertcenter.googleapis.com'.",
        }
        return {
            "error": {
                "code": status,
                "message": detail or messages.get(status, "Internal error encountered."),
                "status": states.get(status, "INTERNAL"),
            }
        }


Data = dict[str, Any]
Builder = Callable[[random.Random, Person, int], Data]


def _data(kind: str, **fields: Any) -> Data:
    return {"@type": TYPE_PREFIX + kind} | fields


def _account_warning(rng: random.Random, person: Person, event_ms: int) -> Data:
    ip, _ = random_address(rng)
    login_time = iso_millis(event_ms - rng.randint(60_000, 900_000))
    return _data(
        "AccountWarning", email=person.email, loginDetails={"ipAddress": ip, "loginTime": login_time}
    )


def _phishing(rng: random.Random, person: Person, event_ms: int) -> Data:
    sender = f"billing@{pick(rng, ('invoices-portal.example.net', 'secure-docs.example.org'))}"
    return _data(
        "MailPhishing",
        domainId={"customerPrimaryDomain": ORG_DOMAIN},
        maliciousEntity={"fromHeader": sender, "entity": {"emailAddress": sender, "displayName": "Accounts"}},
        messages=[
            {
                "messageId": f"<{random_hex(rng, 16)}@mail.example.net>",
                "md5HashMessageBody": random_hex(rng, 32),
                "md5HashSubject": random_hex(rng, 32),
                "messageBodySnippet": "Your invoice is overdue, open the attached document",
                "recipient": person.email,
                "date": iso_millis(event_ms - rng.randint(60_000, 3_600_000)),
            }
        ],
        isInternal=False,
        systemActionType="NO_OPERATION",
    )


def _device(rng: random.Random, person: Person, event_ms: int) -> Data:
    return _data(
        "DeviceCompromised",
        email=person.email,
        events=[
            {
                "deviceId": random_hex(rng, 16),
                "serialNumber": random_token(rng, 12, ETAG_ALPHABET[:36]).upper(),
                "deviceType": pick(rng, ("ANDROID", "IOS")),
                "deviceModel": pick(rng, ("Pixel 8", "iPhone 15", "Galaxy S23")),
                "resourceId": random_uuid(rng),
                "deviceCompromisedState": "Compromised",
            }
        ],
    )


def _state_attack(rng: random.Random, person: Person, event_ms: int) -> Data:
    return _data("StateSponsoredAttack", email=person.email)


def _outage(rng: random.Random, person: Person, event_ms: int) -> Data:
    return _data(
        "AppsOutage",
        status="NEW",
        products=[pick(rng, ("Gmail", "Google Drive", "Google Meet"))],
        dashboardUri="https://www.google.com/appsstatus/dashboard/",
        incidentTrackingId=random_token(rng, 20, ETAG_ALPHABET[:62]),
    )


# (type, source, data, severity, weight): login alerts (with the login's address) dominate, as in
# most domains; "" is Alert Center's undetermined severity.
ALERT_KINDS: tuple[tuple[str, str, Builder, str, int], ...] = (
    ("Suspicious login", "Google identity", _account_warning, "HIGH", 30),
    ("Suspicious login (less secure app)", "Google identity", _account_warning, "MEDIUM", 12),
    ("Suspicious programmatic login", "Google identity", _account_warning, "HIGH", 10),
    ("Leaked password", "Google identity", _account_warning, "HIGH", 14),
    ("User suspended (suspicious activity)", "Google identity", _account_warning, "MEDIUM", 14),
    ("User suspended (spam)", "Google identity", _account_warning, "LOW", 8),
    ("Suspicious login", "Google identity", _account_warning, "", 8),
    ("User reported phishing", "Gmail phishing", _phishing, "MEDIUM", 1),
    ("Device compromised", "Mobile device management", _device, "HIGH", 1),
    ("Government attack warning", "State sponsored attack", _state_attack, "", 1),
    ("Apps outage", "Google Operations", _outage, "LOW", 1),
)
_KIND_WEIGHTS = cumulative(ALERT_KINDS)
STATUSES = ("NOT_STARTED", "NOT_STARTED", "NOT_STARTED", "IN_PROGRESS", "CLOSED")
SALT = 0xAC01


class GoogleAlertEventFactory:
    """Alert resources, newest-first listings of which the API serves; ids are UUIDs."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        person, admin = pick(rng, self._people), pick(rng, self._people)
        kind, source, build, severity, _ = weighted(rng, ALERT_KINDS, _KIND_WEIGHTS)
        alert_id = random_uuid(rng)
        created = iso_millis(event_ms)
        status = pick(rng, STATUSES)
        metadata: dict[str, Any] = {
            "customerId": CUSTOMER_ID,
            "alertId": alert_id,
            "status": status,
            "updateTime": created,
            "severity": severity,
            "etag": random_token(rng, 12, ETAG_ALPHABET),
        }
        if status != "NOT_STARTED":
            metadata["assignee"] = admin.email
        alert: dict[str, Any] = {
            "customerId": CUSTOMER_ID,
            "alertId": alert_id,
            "createTime": created,
            "startTime": iso_millis(event_ms - rng.randint(60_000, 1_800_000)),
            "type": kind,
            "source": source,
            "data": build(rng, person, event_ms),
            "metadata": metadata,
            "updateTime": created,
            "etag": random_token(rng, 12, ETAG_ALPHABET),
        }
        if source == "Google identity":
            query = random_token(rng, 24, ETAG_ALPHABET[:62])
            alert["securityInvestigationToolLink"] = (
                f"https://admin.google.com/ac/sc/investigation?query={query}"
            )
        if source == "Google Operations":
            alert["endTime"] = iso_millis(event_ms + 3_600_000)
        return alert


PROFILES: dict[str, Profile] = {
    GoogleAlertCenterApi.source_id: (GoogleAlertCenterApi, GoogleAlertEventFactory)
}
