"""LaunchDarkly's audit log: `GET /api/v2/auditlog`, newest first, the access token itself in the
`Authorization` header (no scheme), `after`/`before` as epoch milliseconds, `limit` between 1 and 20
(default 10), continued by the relative link in `_links.next.href`; no next link ends the listing.

References: https://launchdarkly.com/docs/api/audit-log/get-audit-log-entries and the API overview
(https://launchdarkly.com/docs/api: authentication, errors `{"code", "message"}`, rate limiting with
`X-Ratelimit-Route-Remaining` and `X-Ratelimit-Reset` in epoch milliseconds). The next link carries
the listing's own token besides `after`, `before` and `limit`, so it pins the slice the listing started
on; `after` applies to ingestion time (see oldest_first_apis.py), so a late entry is never hidden.
"""

from __future__ import annotations

import hmac
import math
from typing import Any, ClassVar
from urllib.parse import urlencode

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply
from eventframework.local.sandbox.catalogue_api import (
    CatalogueApi,
    PageToken,
    limit_param,
    page_of,
    require_token,
)
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import random_hex

MAX_LIMIT = 20
DEFAULT_LIMIT = 10
ACCOUNT_ID = "5f3c2a1b9d8e7f6a5b4c3d2e"


def _epoch_ms(query: dict[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest(name, f"must be a Unix epoch time in milliseconds, got {value!r}")
    return int(value)


class LaunchDarklyAuditLogApi(CatalogueApi):
    """`GET /api/v2/auditlog?after=<epoch ms>&limit=N`, then the `_links.next.href` of each page."""

    source_id: ClassVar[str] = "launchdarkly-audit-log"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v2/auditlog"
    auth_scheme: ClassVar[str] = ""
    token_param: ClassVar[str] = "cursor"

    def authorized(self, request: ApiRequest) -> bool:
        """The header's value is the access token itself (no `Bearer`)."""
        return hmac.compare_digest(request.authorization or "", self._token)

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get(self.token_param))

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        after = _epoch_ms(query, "after")
        _epoch_ms(query, "before")
        limit = limit_param(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        text = query.get(self.token_param)
        if text:
            token = require_token(text, self.token_param)
        else:
            if after is None:
                raise BadRequest("after", "is required: the sandbox lists from a lower time bound")
            low = self.stream.first_ingested_at_or_after(after)
            token = PageToken(low, max(len(self.stream), low), 0, 1, limit)
        positions, following = token.newest_first()
        items = self.stream.events(positions)
        links: dict[str, Any] = {
            "self": {"href": f"{self.path}?{urlencode(query)}", "type": "application/json"}
        }
        if following is not None and items:
            next_query = {"after": after or 0, "before": items[-1]["date"], "limit": limit}
            next_query[self.token_param] = following.encode()
            links["next"] = {"href": f"{self.path}?{urlencode(next_query)}", "type": "application/json"}
        return Reply.json(200, {"items": items, "_links": links})

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        """LaunchDarkly's rate-limit headers: the route's remaining calls and the reset in epoch ms."""
        headers: list[tuple[str, str]] = []
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        if reset_in is not None:
            headers += [
                ("X-Ratelimit-Route-Remaining", "0"),
                ("X-Ratelimit-Reset", str(math.ceil((now + reset_in) * 1000))),
            ]
        return Reply.json(status, self.error_body(status), headers)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        codes = {
            400: ("invalid_request", "Invalid request"),
            401: ("unauthorized", "Invalid access token"),
            403: ("forbidden", "Access to the requested resource was denied"),
            429: ("rate_limited", "You've exceeded the API rate limit. Try again later."),
        }
        code, message = codes.get(status, ("internal_server_error", "Internal server error"))
        return {"code": code, "message": detail or message}


# (kind, accesses action, resource specifier template, titleVerb, shortDescription, weight)
CHANGES: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("flag", "updateOn", "proj/{project}:env/production:flag/{flag}", "turned on the flag",
     "Turned on the flag", 30),
    ("flag", "updateTargets", "proj/{project}:env/production:flag/{flag}", "changed the targeting rules of",
     "Updated individual targets", 25),
    ("flag", "updateRules", "proj/{project}:env/staging:flag/{flag}", "changed the targeting rules of",
     "Updated rules", 15),
    ("flag", "createFlag", "proj/{project}:env/*:flag/{flag}", "created the flag", "Created the flag", 10),
    ("flag", "deleteFlag", "proj/{project}:env/*:flag/{flag}", "deleted the flag", "Deleted the flag", 4),
    ("member", "createMember", "member/{member}", "invited", "Invited a member", 4),
    ("member", "updateRole", "member/{member}", "changed the role of", "Changed the role to admin", 3),
    ("token", "createAccessToken", "member/{member}:token/{token}", "created the access token",
     "Created an access token", 3),
    ("role", "updatePolicy", "role/{role}", "updated the policy of the role", "Updated the policy", 2),
    ("environment", "deleteEnvironment", "proj/{project}:env/{environment}", "deleted the environment",
     "Deleted the environment", 1),
)  # fmt: skip
CHANGES_CUMULATIVE = cumulative(CHANGES)
PROJECTS = ("checkout", "mobile-app", "platform")
FLAGS = ("new-checkout-flow", "dark-mode", "search-v2", "rate-limit-bypass", "beta-dashboard")


class LaunchDarklyAuditEventFactory(_Factory):
    """Audit log entries shaped as the list's summary representation (AuditLogEntryListingRep) and
    the webhook sample: `_id`, integer epoch-ms `date`, `accesses`, `member`, sometimes `token`."""

    salt = 0x1DA7

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        kind, action, spec, verb, short, _ = weighted(rng, CHANGES, CHANGES_CUMULATIVE)
        project, flag = PROJECTS[rng.randrange(len(PROJECTS))], FLAGS[rng.randrange(len(FLAGS))]
        entry_id = f"{random_hex(rng, 12)}{position:012x}"
        member_id = random_hex(rng, 24)
        target = self._people[rng.randrange(len(self._people))]
        first, last = person.name.split(" ", 1)
        names = {
            "flag": flag,
            "member": target.name,
            "token": "SIEM export",
            "role": "release-managers",
            "environment": "Staging",
        }
        resource = spec.format(
            project=project, flag=flag, member=random_hex(rng, 24), token=random_hex(rng, 24),
            role="release-managers", environment="staging",
        )  # fmt: skip
        entry: dict[str, Any] = {
            "_links": {
                "canonical": {"href": f"/api/v2/auditlog/{entry_id}", "type": "application/json"},
                "parent": {"href": "/api/v2/auditlog", "type": "application/json"},
                "self": {"href": f"/api/v2/auditlog/{entry_id}", "type": "application/json"},
            },
            "_id": entry_id,
            "_accountId": ACCOUNT_ID,
            "date": event_ms,
            "accesses": [{"action": action, "resource": resource}],
            "kind": kind,
            "name": names[kind],
            "description": f"- {short}",
            "shortDescription": short,
            "member": {
                "_links": {"self": {"href": f"/api/v2/members/{member_id}", "type": "application/json"}},
                "_id": member_id,
                "email": person.email,
                "firstName": first,
                "lastName": last,
            },
            "titleVerb": verb,
            "title": f"[{person.name}](mailto:{person.email}) {verb} [{names[kind]}]",
            "target": {"_links": {}, "name": names[kind], "resources": [resource]},
        }
        if rng.random() < 0.3:
            entry["comment"] = "Rolled out per change ticket"
        if rng.random() < 0.25:
            entry["token"] = {
                "_links": {},
                "_id": random_hex(rng, 24),
                "name": "Terraform automation",
                "ending": random_hex(rng, 4),
                "serviceToken": True,
            }
        return entry


PROFILES: dict[str, Profile] = {
    LaunchDarklyAuditLogApi.source_id: (LaunchDarklyAuditLogApi, LaunchDarklyAuditEventFactory),
}
