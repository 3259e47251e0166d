"""Sandbox profile of GitLab group audit events: `GET /api/v4/groups/example-group/audit_events`.

A personal, group or OAuth access token in the `PRIVATE-TOKEN` header (or `Authorization: Bearer`,
which GitLab accepts for the same tokens). Keyset pagination as GitLab documents it for audit events:
`pagination=keyset`, `order_by=id`, `sort=desc` only, so events come newest first (highest id first);
`per_page` defaults to 20 and is capped at 100. `created_after`/`created_before` are ISO 8601
`YYYY-MM-DDTHH:MM:SSZ`. The next page is the rel="next" Link header, which keeps every parameter and
adds an opaque `cursor`; the last page has no Link. Errors are GitLab's: `{"message": "401
Unauthorized"}`, Grape's `{"error": "..."}` for a bad parameter, and Rack::Attack's plain-text
`Retry later` 429 with Retry-After and RateLimit-* headers (RateLimit-Reset is Unix time)
(https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers).
"""

from __future__ import annotations

import hmac
import json
import random
import re
from email.utils import formatdate
from typing import Any, ClassVar
from urllib.parse import urlencode

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
    random_hex,
)
from eventframework.local.sandbox.pools import NETWORKS

GROUP_ID = 60
GROUP_PATH = "sandbox-corp"
FIRST_EVENT_ID = 4_100_000
# The reference's format for created_after / created_before: ISO 8601 YYYY-MM-DDTHH:MM:SSZ.
_GITLAB_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_MESSAGES = {
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    429: "429 Too Many Requests",
}


def _date(query: dict[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None:
        return None
    if not _GITLAB_DATE.fullmatch(value):
        raise BadRequest(name, f"is invalid: the format is ISO 8601 YYYY-MM-DDTHH:MM:SSZ, got {value!r}")
    return parse_time(value)


class GitLabGroupAuditEventsApi(CatalogueApi):
    """`GET /api/v4/groups/example-group/audit_events?pagination=keyset&order_by=id&sort=desc`, the
    first page filtered by `created_after`, the following ones by the Link header's `cursor`."""

    source_id: ClassVar[str] = "gitlab-audit-events"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v4/groups/example-group/audit_events"
    has_next_links: ClassVar[bool] = True
    rate_limit_headers = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    rate_limit = 2000

    def authorized(self, request: ApiRequest) -> bool:
        private = request.headers.get("private-token")
        if private is not None:
            return hmac.compare_digest(private, self._token)
        return hmac.compare_digest(request.authorization or "", f"Bearer {self._token}")

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get("cursor"))

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        if query.get("pagination") != "keyset":
            raise BadRequest(
                "pagination",
                "the sandbox lists audit events with keyset pagination only (offset pagination of this "
                "endpoint is deprecated since GitLab 17.8): pass pagination=keyset",
            )
        if (query.get("order_by"), query.get("sort")) != ("id", "desc"):
            raise BadRequest(
                "order_by", "keyset pagination of audit events supports order_by=id, sort=desc only"
            )
        since, until = _date(query, "created_after"), _date(query, "created_before")
        size = limit_param(query, "per_page", 20, 100)
        if query.get("cursor"):
            token = require_token(query["cursor"], "cursor")
        else:
            low = self.stream.first_ingested_at_or_after(since or 0)
            high = len(self.stream) if until is None else self.stream.first_ingested_at_or_after(until + 1)
            token = PageToken(low, max(high, low), 0, 1, size)
        positions, following = token.newest_first()
        headers = [("Content-Type", "application/json")]
        if following is not None:
            base = f"https://{link_host}" if link_host else self.base_url
            kept = {k: v for k, v in query.items() if k != "cursor"}
            headers.append(
                (
                    "Link",
                    f'<{base}{self.path}?{urlencode(kept | {"cursor": following.encode()})}>; rel="next"',
                )
            )
        body = json.dumps(self.stream.events(positions), separators=(",", ":")).encode()
        return Reply(200, body, headers)

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        reply = super().error(status, now, retry_after=retry_after, reset_in=reset_in)
        if status == 429:  # Rack::Attack answers in plain text ("Retry later" unless customised)
            reply.body = b"Retry later\n"
            reply.headers = [("Content-Type", "text/plain")] + [
                h for h in reply.headers if h[0] != "Content-Type"
            ]
            if reset_in is not None:
                reply.headers.append(("RateLimit-ResetTime", formatdate(now + reset_in, usegmt=True)))
        return reply

    def error_body(self, status: int, detail: str | None = None) -> Any:
        if status == 400:
            return {"error": detail or "400 Bad request"}
        return {"message": _MESSAGES.get(status, f"{status} Internal Server Error")}


# (event_name, entity: "group" | "project", target_type, weight); details built per name below.
GITLAB_EVENTS = (
    ("authenticated_with_group_saml", "group", "User", 40),
    ("protected_branch_created", "project", "ProtectedBranch", 10),
    ("change_membership_state", "group", "User", 10),
    ("group_access_token_created", "group", "User", 8),
    ("user_provisioned_by_scim", "group", "User", 7),
    ("protected_branch_removed", "project", "ProtectedBranch", 5),
    ("remove_ssh_key", "group", "Key", 4),
    ("group_access_token_creation_failed", "group", "User", 4),
    ("ip_restrictions_changed", "group", "Group", 3),
    ("group_require_two_factor_authentication_updated", "group", "Group", 3),
    ("user_impersonation", "group", "User", 2),
    ("user_disable_two_factor", "group", "User", 4),
)
GITLAB_EVENTS_CUMULATIVE = cumulative(GITLAB_EVENTS)
PROJECTS = (("payments", 101), ("web", 102), ("infra", 103), ("docs", 104))
ROLES = ("Guest", "Reporter", "Developer", "Maintainer", "Owner")


def _what(rng: random.Random, name: str) -> dict[str, Any]:
    """The first keys of `details`: a custom message, or GitLab's older add/change/from/to keys."""
    if name == "change_membership_state":
        start = rng.randint(0, 2)
        return {"change": "access_level", "from": ROLES[start], "to": ROLES[start + rng.randint(1, 2)]}
    if name == "group_require_two_factor_authentication_updated":
        enabled = rng.random() < 0.5
        return {
            "change": "require_two_factor_authentication",
            "from": str(not enabled).lower(),
            "to": str(enabled).lower(),
        }
    if name == "ip_restrictions_changed":
        first, second = pick(rng, NETWORKS).first_octets
        return {"custom_message": f"Group IP restrictions updated from '' to '{first}.{second}.0.0/16'"}
    messages = {
        "authenticated_with_group_saml": "Signed in with GROUP_SAML authentication",
        "protected_branch_created": "Added protected branch with [push access levels: Maintainers] "
        "[merge access levels: Maintainers] [allow force push: false] [code owner approval required: false]",
        "protected_branch_removed": "Unprotected branch",
        "group_access_token_created": f"Created group access token with token_id: {rng.randint(100, 9999)} "
        "with scopes: [:read_api] and Developer access level.",
        "group_access_token_creation_failed": "Attempted to create group access token but failed with "
        f"message: {pick(rng, ('Access token limit reached', 'Expiration date is invalid'))}",
        "user_provisioned_by_scim": "User was provisioned by SCIM",
        "remove_ssh_key": "Removed SSH key",
        "user_impersonation": pick(rng, ("Started Impersonation", "Stopped Impersonation")),
        "user_disable_two_factor": "Disabled two-factor authentication",
    }
    return {"custom_message": messages[name]}


class GitLabAuditEventFactory:
    """Group audit events shaped like GitLab's AuditEvent entity: integer ids rising with the stream,
    `event_name` at the top, `details` with the author, target, address and entity path."""

    salt = 0x6174

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        self._user_ids = {person.email: 3100 + index for index, person in enumerate(self._people)}

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        person = pick(rng, self._people)
        name, entity, target_type, _ = weighted(rng, GITLAB_EVENTS, GITLAB_EVENTS_CUMULATIVE)
        ip, _ = random_address(rng)
        if entity == "project":
            project, entity_id = pick(rng, PROJECTS)
            entity_type, entity_path = "Project", f"{GROUP_PATH}/{project}"
        else:
            entity_type, entity_id, entity_path = "Group", GROUP_ID, GROUP_PATH
        target_id, target_details = self._target(rng, person, name, target_type)
        details = _what(rng, name) | {
            "author_name": person.name,
            "author_class": "User",
            "author_email": person.email,
            "target_id": target_id,
            "target_type": target_type,
            "target_details": target_details,
            "ip_address": ip,
            "entity_path": entity_path,
        }
        return {
            "id": FIRST_EVENT_ID + position,
            "author_id": self._user_ids[person.email],
            "entity_id": entity_id,
            "entity_type": entity_type,
            "event_name": name,
            "details": details,
            "created_at": iso_millis(event_ms),
        }

    def _target(self, rng: random.Random, author: Person, name: str, target_type: str) -> tuple[Any, str]:
        if target_type == "ProtectedBranch":
            return rng.randint(500, 999), pick(rng, ("main", "release/*", "production"))
        if target_type == "Key":
            return rng.randint(10_000, 99_999), f"SHA256:{random_hex(rng, 12)}"
        if target_type == "Group":
            return GROUP_ID, GROUP_PATH
        if name.startswith("group_access_token"):
            bot = f"group_{GROUP_ID}_bot_{random_hex(rng, 32)}"
            return rng.randint(90_000, 99_999), bot
        if name in ("authenticated_with_group_saml", "user_disable_two_factor", "user_provisioned_by_scim"):
            return self._user_ids[author.email], author.name
        other = pick(rng, self._people)
        return self._user_ids[other.email], other.name


PROFILES: dict[str, Profile] = {
    GitLabGroupAuditEventsApi.source_id: (GitLabGroupAuditEventsApi, GitLabAuditEventFactory),
}
