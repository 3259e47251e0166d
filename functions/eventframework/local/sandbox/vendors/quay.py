"""Sandbox profile of Red Hat Quay's organization usage logs: `GET /api/v1/organization/<org>/logs`.

As Quay serves it (quay/quay endpoints/api/logs.py, `OrgLogs.get`, and data/logs_model): an OAuth
bearer token with the org:admin scope; `starttime` and `endtime` are dates `%m/%d/%Y` in UTC (the
window runs from the start date's midnight to the day after the end date; without `endtime`, today);
entries come newest first, 20 per page (`LOGS_PER_PAGE`), and `next_page`, an opaque token, is in
the body while older entries remain and is sent back as `next_page`. Each entry is `Log.to_dict`
without the namespace (the organization endpoint names it): kind, metadata, ip, datetime in RFC 2822
("Tue, 18 Jun 2024 18:59:13 -0000") and, when someone acted, performer.

Two deliberate differences: Quay silently falls back to its default window when a date does not
parse, where the sandbox answers 400 so a definition's wrong format shows at once; and the sandbox
honours a `limit` of at most 20, a parameter Quay does not have and ignores (its argument parser is
not strict), so tests can page through a few events in small pages.
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply
from eventframework.local.sandbox.catalogue_api import (
    CatalogueApi,
    PageToken,
    limit_param,
    page_of,
    require_token,
)
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import event_rng, make_people, pick, random_address, random_hex
from eventframework.local.sandbox.pools import AGENTS

ORG = "example-org"
LOGS_PER_PAGE = 20
_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
AVATAR_COLORS = ("#17becf", "#9467bd", "#2ca02c", "#ff7f0e", "#1f77b4")


def rfc2822(moment: datetime) -> str:
    """Quay's `format_date`: `formatdate(timegm(...))`, e.g. "Tue, 18 Jun 2024 18:59:13 -0000"."""
    return formatdate(moment.timestamp())


def _date(query: dict[str, str], name: str) -> datetime | None:
    value = query.get(name)
    if value is None:
        return None
    if not _DATE.fullmatch(value):
        raise BadRequest(name, f'must be a date "%m/%d/%Y" in UTC, got {value!r}')
    try:
        return datetime.strptime(value, "%m/%d/%Y").replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(name, f"{value!r} is not a date") from None


class QuayOrgLogsApi(CatalogueApi):
    """`GET /api/v1/organization/example-org/logs?starttime=MM/DD/YYYY`, newest first, 20 a page,
    continued by the body's `next_page`."""

    source_id: ClassVar[str] = "quay-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = f"/api/v1/organization/{ORG}/logs"

    def authorized(self, request: ApiRequest) -> bool:
        return hmac.compare_digest(request.authorization or "", f"Bearer {self._token}")

    def page_number(self, request: ApiRequest) -> int | None:
        return page_of(request.query.get("next_page"))

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        today = datetime.fromtimestamp(now, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = _date(query, "starttime") or today - timedelta(days=1)
        end = (_date(query, "endtime") or today) + timedelta(days=1)
        if end < start:
            raise BadRequest("endtime", "must not be before starttime")
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        if query.get("next_page"):
            token = require_token(query["next_page"], "next_page")
        else:
            low = self.stream.first_ingested_at_or_after(start_ms)
            high = self.stream.first_ingested_at_or_after(end_ms)
            token = PageToken(
                low, max(high, low), 0, 1, limit_param(query, "limit", LOGS_PER_PAGE, LOGS_PER_PAGE)
            )
        positions, following = token.newest_first()
        body: dict[str, Any] = {
            "start_time": rfc2822(start),
            "end_time": rfc2822(end),
            "logs": self.stream.events(positions),
        }
        if following:
            body["next_page"] = following.encode()
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        kinds = {
            400: ("invalid_request", detail or "Invalid request"),
            401: ("invalid_token", "Session required"),
            403: ("insufficient_scope", "Unauthorized"),
            429: ("too_many_requests", "Too many requests"),
        }
        kind, message = kinds.get(status, ("internal_error", "Internal server error"))
        return {
            "detail": message,
            "error_message": message,
            "error_type": kind,
            "title": kind,
            "type": f"{self.base_url}/api/v1/error/{kind}",
            "status": status,
        }


# (kind, weight): pulls and pushes dominate; permission, visibility, robot and team changes and
# failed logins are the entries a responder looks for.
QUAY_KINDS = (
    ("pull_repo", 40),
    ("push_repo", 18),
    ("create_tag", 8),
    ("delete_tag", 4),
    ("login_success", 6),
    ("login_failure", 3),
    ("create_repo", 4),
    ("delete_repo", 2),
    ("change_repo_visibility", 2),
    ("change_repo_permission", 3),
    ("create_robot", 2),
    ("delete_robot", 1),
    ("org_add_team_member", 2),
    ("org_remove_team_member", 1),
    ("add_repo_webhook", 1),
    ("revert_tag", 1),
)
QUAY_KINDS_CUMULATIVE = cumulative(QUAY_KINDS)
REPOS = ("api", "web", "worker", "base-images", "payments")
TEAMS = ("owners", "developers", "readers")
SALT = 0x0A1F


class QuayLogEventFactory:
    """Usage-log entries as `Log.to_dict` renders them for the organization endpoint."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        (kind, _) = weighted(rng, QUAY_KINDS, QUAY_KINDS_CUMULATIVE)
        person = pick(rng, self._people)
        username = person.email.split("@", 1)[0].replace(".", "_")
        draw = rng.random()
        robot = kind == "pull_repo" and draw < 0.4
        anonymous = kind == "pull_repo" and draw > 0.85  # a public repository pulled without login
        performer_name = f"{ORG}+ci_{pick(rng, REPOS).replace('-', '_')}" if robot else username
        repo = pick(rng, REPOS)
        ip, _ = random_address(rng)
        metadata = self._metadata(rng, kind, repo, username)
        entry: dict[str, Any] = {
            "kind": kind,
            "metadata": metadata,
            "ip": ip,
            "datetime": rfc2822(datetime.fromtimestamp(event_ms / 1000, tz=UTC)),
        }
        if not anonymous:
            entry["performer"] = {
                "kind": "user",
                "name": performer_name,
                "is_robot": robot,
                "avatar": {
                    "name": performer_name,
                    "hash": random_hex(rng, 64),
                    "color": pick(rng, AVATAR_COLORS),
                    "kind": "robot" if robot else "user",
                },
            }
        return entry

    @staticmethod
    def _metadata(rng: Any, kind: str, repo: str, username: str) -> dict[str, Any]:
        agent = pick(rng, AGENTS).raw
        if kind in ("login_success", "login_failure"):
            if kind == "login_success":
                return {"type": "quayauth", "useragent": agent}
            return {
                "type": "v2auth",
                "kind": "app_specific_token",
                "username": username,
                "useragent": agent,
                "message": "Invalid token",
            }
        metadata: dict[str, Any] = {"repo": repo, "namespace": ORG}
        if kind in ("push_repo", "pull_repo"):
            metadata |= {"user-agent": "containers/5.30.1 (github.com/containers/image)", "tag": "latest"}
        elif kind in ("create_tag", "delete_tag", "revert_tag"):
            metadata |= {"tag": f"v1.{rng.randint(0, 40)}", "username": username}
        elif kind == "change_repo_visibility":
            metadata["visibility"] = pick(rng, ("public", "private"))
        elif kind == "change_repo_permission":
            metadata |= {"username": username, "role": pick(rng, ("read", "write", "admin"))}
        elif kind in ("create_robot", "delete_robot"):
            metadata = {"robot": f"{ORG}+ci_{repo.replace('-', '_')}", "namespace": ORG}
        elif kind in ("org_add_team_member", "org_remove_team_member"):
            metadata = {"member": username, "team": pick(rng, TEAMS), "namespace": ORG}
        return metadata


PROFILES: dict[str, Profile] = {QuayOrgLogsApi.source_id: (QuayOrgLogsApi, QuayLogEventFactory)}
