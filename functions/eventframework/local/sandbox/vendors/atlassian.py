"""Sandbox profile of the Atlassian organization audit log: `GET /admin/v1/orgs/{orgId}/events`
of the Organizations REST API v1 on api.atlassian.com.

Bearer auth with the organization's API key. `from` and `to` are epoch milliseconds; the listing is
newest first and continues with `cursor` = `meta.next` (`links.next` carries the same position as
a link). As Atlassian's ACCESS-1603 describes, the cursor does not carry the time filter, so the
client sends `from` with every page: a cursor request without it is refused here. `limit` sets the
page size; the reference's example page has 25 and states no maximum, the sandbox caps it at 500.
"""

from __future__ import annotations

import random
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
    random_uuid,
)
from eventframework.local.sandbox.pools import PLACES

ORG_ID = "example-org"
ATLASSIAN_API = "https://api.atlassian.com"
DEFAULT_LIMIT = 25
MAX_LIMIT = 500


def _epoch_ms(query: dict[str, str], name: str) -> int:
    value = require_param(query, name)
    if not value.isdigit():
        raise BadRequest(name, f"must be a UNIX epoch time in milliseconds, got {value!r}")
    return int(value)


class AtlassianOrgEventsApi(CatalogueApi):
    """`GET /admin/v1/orgs/example-org/events?from=<epoch ms>&limit=N`, newest first, continued by
    `cursor` (with `from` again on every page)."""

    source_id: ClassVar[str] = "atlassian-org-audit-log"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = f"/admin/v1/orgs/{ORG_ID}/events"
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    rate_limit: ClassVar[int] = 10

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get("cursor"))

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = _epoch_ms(query, "from")
        until = _epoch_ms(query, "to") if "to" in query else None
        size = limit_param(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        if "cursor" in query:
            token = require_token(query["cursor"], "cursor")
        else:
            low = self.stream.first_ingested_at_or_after(since)
            token = PageToken(low, max(len(self.stream), low), 0, 1, size)
        positions, following = token.newest_first()
        events = self.stream.events(positions)
        data = [event for event in events if until is None or _time_ms(event) <= until]
        base = f"https://{link_host}" if link_host else self.base_url
        self_link = f"{base}{self.path}?{urlencode(query)}"
        meta: dict[str, Any] = {"page_size": token.limit}
        links: dict[str, Any] = {"self": self_link}
        if following:
            cursor = following.encode()
            meta["next"] = cursor
            links["next"] = f"{base}{self.path}?{urlencode({'cursor': cursor})}"
        return Reply.json(200, {"data": data, "meta": meta, "links": links})

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        """Atlassian's X-RateLimit-Reset is an ISO 8601 date and time in UTC, not epoch seconds."""
        reply = super().error(status, now, retry_after=retry_after, reset_in=None)
        if reset_in is not None:
            reply.headers += [
                ("X-RateLimit-Limit", str(self.rate_limit)),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", iso_millis(int((now + reset_in) * 1000))),
            ]
        return reply

    def error_body(self, status: int, detail: str | None = None) -> Any:
        titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
        return {"code": status, "message": detail or titles.get(status, "Internal Server Error")}


def _time_ms(event: dict[str, Any]) -> int:
    return parse_time(str(event["attributes"]["time"]))


# (action, message template, context type, weight); {actor} and {target} are names.
ATLASSIAN_ACTIONS = (
    ("user_login", "{actor} logged in", None, 38),
    ("user_logout", "{actor} logged out", None, 8),
    ("user_login_failed", "{actor} failed to log in", None, 10),
    ("group_member_added", "{actor} added {target} to group jira-software-users", "users", 10),
    ("group_member_removed", "{actor} removed {target} from group confluence-users", "users", 5),
    ("user_invited", "{actor} invited {target}", "users", 6),
    ("user_deactivated", "{actor} deactivated {target}", "users", 4),
    ("api_token_created", "{actor} created an API token", None, 6),
    ("api_token_revoked", "{actor} revoked an API token", None, 3),
    ("marketplace_app_installed", "{actor} installed Tempo Timesheets", "apps", 4),
    ("org_settings_update", "{actor} updated AuthenticationPolicy setting values samlEnabled", None, 4),
    ("two_step_verification_disabled", "{actor} disabled two-step verification for {target}", "users", 2),
)
ATLASSIAN_ACTIONS_CUMULATIVE = cumulative(ATLASSIAN_ACTIONS)
GEO = {"US": "NA", "CA": "NA", "BR": "SA", "AU": "APAC", "TW": "APAC", "NG": "EMEA"}


class AtlassianOrgEventFactory:
    """Organization audit events shaped like the reference's EventPage: JSON:API style `type` and
    `attributes`, actor account ids of the form 712020:<uuid>, the organization as the container,
    the affected user, group or app as the context, and a plain-text message."""

    salt = 0xA71A

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        ids = random.Random(((seed & 0xFFFFFFFF) << 16) | (self.salt ^ 0x1))
        self._account_ids = {person.email: f"712020:{random_uuid(ids)}" for person in self._people}
        self._org_uuid = random_uuid(ids)

    def _user(self, email: str) -> str:
        return self._account_ids[email]

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        person, target = pick(rng, self._people), pick(rng, self._people)
        action, message, context_type, _ = weighted(rng, ATLASSIAN_ACTIONS, ATLASSIAN_ACTIONS_CUMULATIVE)
        ip, _ = random_address(rng)
        place = pick(rng, PLACES)
        event_id = random_uuid(rng)
        actor_id = self._user(person.email)
        actor: dict[str, Any] = {
            "id": actor_id,
            "name": person.name,
            "email": person.email,
            "links": {"self": f"{ATLASSIAN_API}/users/{actor_id}/manage/profile"},
        }
        if action.startswith("api_token") or rng.random() < 0.1:
            actor["auth"] = {
                "authType": "session",
                "tokenId": random_uuid(rng),
                "tokenLabel": "admin-automation",
            }
        context: list[dict[str, Any]] = []
        if context_type == "users":
            target_id = self._user(target.email)
            context.append(
                {
                    "id": target_id,
                    "type": "users",
                    "attributes": {"accountId": target_id, "email": target.email, "name": target.name},
                    "links": {"self": f"{ATLASSIAN_API}/users/{target_id}/manage/profile"},
                }
            )
        elif context_type == "apps":
            context.append(
                {
                    "id": random_uuid(rng),
                    "type": "apps",
                    "attributes": {"name": "Tempo Timesheets"},
                    "links": {},
                }
            )
        return {
            "id": event_id,
            "type": "events",
            "attributes": {
                "time": iso_millis(event_ms),
                "action": action,
                "actor": actor,
                "context": context,
                "container": [
                    {
                        "id": self._org_uuid,
                        "type": "orgs",
                        "attributes": {"name": "Sandbox Corp"},
                        "links": {"self": f"{ATLASSIAN_API}/admin/v1/orgs/{self._org_uuid}"},
                    }
                ],
                "location": {
                    "ip": ip,
                    "geo": GEO.get(place.country_code, "EMEA"),
                    "countryName": place.country,
                    "regionName": place.state,
                    "city": place.city,
                },
            },
            "links": {"self": f"{ATLASSIAN_API}/admin/v1/orgs/{ORG_ID}/events/{event_id}"},
            "message": {"content": message.format(actor=person.name, target=target.name), "format": "simple"},
        }


PROFILES: dict[str, Profile] = {
    AtlassianOrgEventsApi.source_id: (AtlassianOrgEventsApi, AtlassianOrgEventFactory),
}
