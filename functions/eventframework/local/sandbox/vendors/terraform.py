"""Sandbox profile of the HCP Terraform (Terraform Cloud) organization audit trail (API v2).

`GET /api/v2/organization/audit-trail` with an organization (or audit trails) token as a bearer
token, `since` in the format the reference gives (UTC, YYYY-MM-DDTHH:MM:SS.SSSZ), `page[number]`
and `page[size]` (default 1000; larger values are clamped to it). The body is not JSON:API: `data`
holds the events and a top-level `pagination` object gives `next_page` (null on the last page).
The reference does not state the order; the sandbox numbers pages over the events ingested at or
after `since`, oldest first, so events arriving mid-listing are appended and never shift pages
already served. Errors are JSON:API error objects (401 for a bad token, 429 as documented).
Reference: https://developer.hashicorp.com/terraform/cloud-docs/api-docs/audit-trails
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import CatalogueApi, limit_param, require_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    OKTA_ID_ALPHABET,
    event_rng,
    iso_millis,
    make_people,
    pick,
    random_token,
    random_uuid,
)

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
# "UTC and in ISO8601 Format - YYYY-MM-DDTHH:MM:SS.SSSZ" (the reference's query parameter table).
_SINCE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


class TerraformAuditTrailApi(CatalogueApi):
    """`GET /api/v2/organization/audit-trail?since=...&page[size]=M`, then `page[number]=N`."""

    source_id: ClassVar[str] = "terraform-cloud-audit-trail"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v2/organization/audit-trail"

    def page_number(self, request: ApiRequest) -> int | None:
        text = request.query.get("page[number]", "1")
        return int(text) if text.isdigit() and int(text) >= 1 else None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = require_param(query, "since")
        if not _SINCE.fullmatch(since):
            raise BadRequest("since", "must be UTC in ISO 8601 format YYYY-MM-DDTHH:MM:SS.SSSZ")
        size = limit_param(query, "page[size]", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        number_text = query.get("page[number]", "1")
        if not number_text.isdigit() or int(number_text) < 1:
            raise BadRequest("page[number]", f"must be a page number of at least 1, got {number_text!r}")
        number = int(number_text)
        first = self.stream.first_ingested_at_or_after(parse_time(since))
        selection = self.stream.select(first + (number - 1) * size, size)
        total = max(selection.total - first, 0)
        pages = max(-(-total // size), 1)
        pagination = {
            "current_page": number,
            "prev_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if number < pages else None,
            "total_pages": pages,
            "total_count": total,
        }
        return Reply.json(200, {"data": self.stream.events(selection.positions), "pagination": pagination})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        if status == 429:
            error: dict[str, Any] = {
                "detail": "You have exceeded the API's rate limit.",
                "status": 429,
                "title": "Too many requests",
            }
        else:
            titles = {400: "bad request", 401: "unauthorized", 404: "not found"}
            error = {"status": str(status), "title": titles.get(status, "internal server error")}
            if detail:
                error["detail"] = detail
        return {"errors": [error]}


# (resource.type, resource.action, id prefix, meta kind, weight), from the reference's event tables.
RESOURCES = (
    ("run", "create", "run", None, 22),
    ("run", "apply", "run", None, 18),
    ("run", "discard", "run", None, 3),
    ("run", "force_execute", "run", None, 1),
    ("state_version", "show", "sv", None, 10),
    ("state_version", "create", "sv", None, 6),
    ("configuration_version", "download", "cv", None, 4),
    ("var", "update", "var", None, 5),
    ("var", "show", "var", None, 4),
    ("workspace", "add_team", "ws", "team", 3),
    ("team", "add_member", "team", "user", 3),
    ("authentication_token", "create", "at", None, 4),
    ("authentication_token", "destroy", "at", None, 2),
    ("organization_user", "create", "ou", None, 2),
    ("organization_user", "destroy", "ou", None, 2),
    ("policy_check", "override", "polchk", "policy", 2),
    ("task_stage", "override", "ts", None, 1),
    ("saml_configuration", "update", "sc", None, 1),
)
RESOURCES_CUMULATIVE = cumulative(RESOURCES)
TEAMS = ("owners", "platform", "security", "developers")


class TerraformAuditEventFactory:
    """Audit events shaped like the reference's sample: `id`, `version`, `type`, `timestamp`
    (UTC, milliseconds, `Z`), `auth` {accessor_id, description, type, impersonator_id,
    organization_id}, `request` {id} and `resource` {id, type, action, meta}."""

    salt = 0x7E7F

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        rng = event_rng(seed, self.salt, 1 << 39)
        self._organization = "org-" + random_token(rng, 16, OKTA_ID_ALPHABET)
        self._user_ids = ["user-" + random_token(rng, 16, OKTA_ID_ALPHABET) for _ in self._people]

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        index = int(rng.random() * len(self._people))
        user_id = self._user_ids[index]
        kind, action, prefix, meta_kind, _ = weighted(rng, RESOURCES, RESOURCES_CUMULATIVE)
        impersonated = rng.random() < 0.03
        meta: dict[str, Any] | None = None
        if meta_kind == "team":
            meta = {"team": pick(rng, TEAMS), "permissions": pick(rng, ("read", "plan", "write", "admin"))}
        elif meta_kind == "user":
            meta = {"user": self._username(pick(rng, range(len(self._people))))}
        elif meta_kind == "policy":
            meta = {
                "comment": pick(rng, (None, "approved by change board")),
                "run": {"id": "run-" + random_token(rng, 16, OKTA_ID_ALPHABET), "message": "Queued manually"},
                "workspace": {"id": "ws-" + random_token(rng, 16, OKTA_ID_ALPHABET), "name": "prod-network"},
                "actor": self._username(index),
            }
        return {
            "id": random_uuid(rng),
            "version": "0",
            "type": "Resource",
            "timestamp": iso_millis(event_ms),
            "auth": {
                "accessor_id": user_id,
                "description": self._username(index),
                "type": "Impersonated" if impersonated else "Client",
                "impersonator_id": "user-" + random_token(rng, 16, OKTA_ID_ALPHABET)
                if impersonated
                else None,
                "organization_id": self._organization,
            },
            "request": {"id": random_uuid(rng)},
            "resource": {
                "id": f"{prefix}-" + random_token(rng, 16, OKTA_ID_ALPHABET),
                "type": kind,
                "action": action,
                "meta": meta,
            },
        }

    def _username(self, index: int) -> str:
        handle = self._people[index].email.split("@", 1)[0]
        return handle.replace(".", "-")


PROFILES: dict[str, Profile] = {
    TerraformAuditTrailApi.source_id: (TerraformAuditTrailApi, TerraformAuditEventFactory),
}
