"""Sandbox profile of Twilio Monitor Events: `GET /v1/Events` on monitor.twilio.com.

HTTP basic auth with the Account SID and Auth Token. The first request filters with `StartDate`
(GMT, ISO 8601 as the reference's example 2015-07-30T20:00:00Z) and optionally `EndDate`; `PageSize`
defaults to 50 and is capped at 1000. Events come newest first; `meta.next_page_url` is the
absolute URL of the next page (the filter kept, `Page` and `PageToken` added), null on the last.
Errors are Twilio's JSON error document (`code`, `message`, `more_info`, `status`); 20429 answers a
rate limit (https://www.twilio.com/docs/api/errors/20429).
"""

from __future__ import annotations

import base64
import hmac
import random
import re
from typing import Any, ClassVar
from urllib.parse import urlencode

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import (
    CatalogueApi,
    PageToken,
    limit_param,
    page_of,
    require_param,
    require_token,
)
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    event_rng,
    iso_millis,
    make_people,
    pick,
    random_address,
    random_hex,
)

TWILIO_ACCOUNT_SID = "AC" + "5b1d0c3e9f2a4b6c8d7e0f1a2b3c4d5e"
MONITOR_HOST = "https://monitor.twilio.com"
# The reference's example and description: GMT, ISO 8601, seconds and a Z (2015-07-30T20:00:00Z).
_GMT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_ERRORS = {
    400: (20001, "Invalid parameter"),
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
}


def _gmt_date(query: dict[str, str], name: str) -> int:
    value = query[name]
    if not _GMT_DATE.fullmatch(value):
        raise BadRequest(name, f"must be a GMT date in ISO 8601, like 2015-07-30T20:00:00Z, got {value!r}")
    return parse_time(value)


class TwilioMonitorEventsApi(CatalogueApi):
    """`GET /v1/Events?StartDate=...&PageSize=N`, continued by `meta.next_page_url` (`PageToken`)."""

    source_id: ClassVar[str] = "twilio-monitor-events"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/v1/Events"
    auth_scheme: ClassVar[str] = "Basic"
    has_next_links: ClassVar[bool] = True

    def credentials(self) -> dict[str, str]:
        return {"base_url": self.base_url, "username": TWILIO_ACCOUNT_SID, "password": self._token}

    def authorized(self, request: ApiRequest) -> bool:
        expected = "Basic " + base64.b64encode(f"{TWILIO_ACCOUNT_SID}:{self._token}".encode()).decode()
        return hmac.compare_digest(request.authorization or "", expected)

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get("PageToken"))

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        size = limit_param(query, "PageSize", 50, 1000)
        if "PageToken" in query:
            token = require_token(query["PageToken"], "PageToken")
        else:
            require_param(query, "StartDate")
            low = self.stream.first_ingested_at_or_after(_gmt_date(query, "StartDate"))
            token = PageToken(low, max(len(self.stream), low), 0, 1, size)
        until = _gmt_date(query, "EndDate") if "EndDate" in query else None
        positions, following = token.newest_first()
        events = [
            event
            for event in self.stream.events(positions)
            if until is None or parse_time(str(event.get("event_date"))) <= until
        ]
        base = f"https://{link_host}" if link_host else self.base_url
        kept = {k: v for k, v in query.items() if k not in ("PageToken", "Page", "PageSize")}

        def url(page: int, page_token: str | None) -> str:
            params = kept | {"PageSize": token.limit, "Page": page}
            if page_token:
                params["PageToken"] = page_token
            return f"{base}{self.path}?{urlencode(params)}"

        meta: dict[str, Any] = {
            "page": token.page - 1,
            "page_size": token.limit,
            "first_page_url": url(0, None),
            "previous_page_url": url(token.page - 2, None) if token.page > 1 else None,
            "url": url(token.page - 1, query.get("PageToken")),
            "next_page_url": url(token.page, following.encode()) if following else None,
            "key": "events",
        }
        return Reply.json(200, {"events": events, "meta": meta})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        code, message = _ERRORS.get(status, (20500, "Internal Server Error"))
        return {
            "code": code,
            "message": f"{message}: {detail}" if detail else message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }


# (event type, resource type, source, actor type, weight)
TWILIO_EVENTS = (
    ("user-session.created", "user-session", "web", "user", 40),
    ("account.updated", "account", "web", "user", 10),
    ("phone-number.created", "phone-number", "api", "account", 18),
    ("phone-number.deleted", "phone-number", "api", "account", 6),
    ("api-key.created", "api-key", "web", "user", 8),
    ("api-key.deleted", "api-key", "web", "user", 4),
    ("recording.deleted", "recording", "api", "account", 10),
    ("account.updated", "account", "twilio", "twilio-admin", 4),
)
TWILIO_EVENTS_CUMULATIVE = cumulative(TWILIO_EVENTS)
_RESOURCE_PREFIX = {
    "user-session": "US",
    "account": "AC",
    "phone-number": "PN",
    "api-key": "SK",
    "recording": "RE",
}
_RESOURCE_URLS = {
    "account": "https://api.twilio.com/2010-04-01/Accounts/{sid}",
    "phone-number": "https://api.twilio.com/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{sid}",
    "recording": "https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}",
    "api-key": "https://api.twilio.com/2010-04-01/Accounts/{account}/Keys/{sid}",
}


def _event_data(rng: random.Random, event_type: str, person_name: str) -> dict[str, Any]:
    if event_type == "account.updated":
        return {"friendly_name": {"previous": "Sandbox Corp", "updated": f"Sandbox Corp ({person_name})"}}
    if event_type.startswith("phone-number."):
        return {"phone_number": f"+1415555{rng.randint(1000, 9999)}", "friendly_name": "Support line"}
    if event_type.startswith("api-key."):
        return {"friendly_name": pick(rng, ("ci-deploy", "siem-export", "billing-sync"))}
    return {}


class TwilioMonitorEventFactory:
    """Monitor events shaped like Twilio's example: sids of 2 letters and 32 hex digits, GMT dates
    with seconds, links to the actor and resource; events caused by Twilio itself have no actor sid
    and no source IP, as the reference describes."""

    salt = 0x7A10

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        sids = random.Random(((seed & 0xFFFFFFFF) << 16) | (self.salt ^ 0x1))
        # One user sid per member of staff, so the same person's events carry the same actor.
        self._user_sids = {person.email: "US" + random_hex(sids, 32) for person in self._people}

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        person = pick(rng, self._people)
        event_type, resource_type, source, actor_type, _ = weighted(
            rng, TWILIO_EVENTS, TWILIO_EVENTS_CUMULATIVE
        )
        ip, _ = random_address(rng)
        sid = f"AE{random_hex(rng, 32)}"
        if resource_type == "account":
            resource_sid = TWILIO_ACCOUNT_SID
        elif resource_type == "user-session":
            resource_sid = f"US{random_hex(rng, 32)}"
        else:
            resource_sid = f"{_RESOURCE_PREFIX[resource_type]}{random_hex(rng, 32)}"
        if actor_type == "user":
            actor_sid: str | None = self._user_sids[person.email]
            actor_link: str | None = f"https://www.twilio.com/console/users/{actor_sid}"
            description: str | None = (
                f"{person.name} ({person.email}) {event_type.rsplit('.', 1)[1]} {resource_type}"
            )
        elif actor_type == "account":
            actor_sid, actor_link = (
                TWILIO_ACCOUNT_SID,
                f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}",
            )
            description = None
        else:
            actor_sid, actor_link, description = None, None, "Updated by Twilio"
        resource_url = _RESOURCE_URLS.get(resource_type, "").format(
            sid=resource_sid, account=TWILIO_ACCOUNT_SID
        )
        return {
            "account_sid": TWILIO_ACCOUNT_SID,
            "actor_sid": actor_sid,
            "actor_type": actor_type,
            "description": description,
            "event_data": _event_data(rng, event_type, person.name),
            "event_date": iso_millis(event_ms)[:19] + "Z",
            "event_type": event_type,
            "links": {"actor": actor_link, "resource": resource_url or None},
            "resource_sid": resource_sid,
            "resource_type": resource_type,
            "sid": sid,
            "source": source,
            "source_ip_address": None if source == "twilio" else ip,
            "url": f"{MONITOR_HOST}/v1/Events/{sid}",
        }


PROFILES: dict[str, Profile] = {
    TwilioMonitorEventsApi.source_id: (TwilioMonitorEventsApi, TwilioMonitorEventFactory),
}
