"""Vendor endpoints that list oldest first and continue past the last event: Auth0 logs (`from`
checkpoint with `take`), Duo authentication log v2 (HMAC-signed, `mintime`/`maxtime`,
`next_offset`) and the GitHub organisation audit log (`after` cursor in a rel="next" Link header).

Lower time bounds apply to ingestion time, as in the Okta endpoint, so an event that arrives late
is never hidden behind a cursor; in a stream without late arrivals both times are the same.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
from typing import Any, ClassVar
from urllib.parse import urlencode

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import (
    CatalogueApi,
    OAuth2ClientCredentialsApi,
    limit_param,
    require_param,
)
from eventframework.local.sandbox.catalogue_events import auth0_position, duo_position
from eventframework.local.sandbox.stream import Cursor

DUO_INTEGRATION_KEY = "DIEFWSANDBOX00000001"
# GitHub's search syntax for dates (docs.github.com, "Understanding the search syntax", Query for
# dates): YYYY-MM-DD, optionally THH:MM:SS+00:00 (an offset: no Z, no fractional seconds).
_GITHUB_CREATED_SINCE = re.compile(r"created:>=\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?")
# Auth0's log search (auth0.com/docs, "Log Search Query Syntax"): dates as YYYY-MM-DD or
# YYYY-MM-DDTHH:MM:SS, no zone and no fractions.
_AUTH0_DATE_SINCE = re.compile(r"date:\[(?P<date>\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?) TO \*\]")


def _json_list(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(events, separators=(",", ":")).encode()


class Auth0LogsApi(OAuth2ClientCredentialsApi):
    """`GET /api/v2/logs`: a first request by date (`q=date:[start TO *]`, `sort=date:1`), then
    `from=<log_id>&take=N` for the events after that id. Tokens need the tenant's /api/v2/ audience."""

    source_id: ClassVar[str] = "auth0-logs"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v2/logs"
    token_path: ClassVar[str] = "/oauth/token"
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

    def check_grant(self, form: dict[str, str]) -> str | None:
        if form.get("audience") != f"{self.base_url}/api/v2/":
            return "Service not enabled within domain: " + form.get("audience", "(no audience)")
        return None

    def page_number(self, request: ApiRequest) -> int | None:
        """Page 1 is the date query; `from` continuations carry no page count (None)."""
        return 1 if "from" not in request.query else None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        if "from" in query:
            position = auth0_position(query["from"])
            if position is None:
                raise BadRequest("from", "is not a log_id of this tenant")
            take = limit_param(query, "take", 50, 100)
            selection = self.stream.select(position + 1, take)
        else:
            q = require_param(query, "q")
            since = _AUTH0_DATE_SINCE.fullmatch(q)
            if since is None:
                raise BadRequest(
                    "q",
                    "the sandbox answers date:[<start> TO *] only, the date as Auth0's log search "
                    "documents it: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (no zone, no fractions)",
                )
            if query.get("sort") != "date:1":
                raise BadRequest("sort", "must be date:1 (oldest first) for a checkpoint listing")
            start = self.stream.first_ingested_at_or_after(parse_time(since["date"]))
            selection = self.stream.select(start, limit_param(query, "per_page", 50, 100))
        return Reply(
            200, _json_list(self.stream.events(selection.positions)), [("Content-Type", "application/json")]
        )

    def error_body(self, status: int, detail: str | None = None) -> Any:
        names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
        return {
            "statusCode": status,
            "error": names.get(status, "Internal Server Error"),
            "message": detail or "",
        }


class DuoAuthLogApi(CatalogueApi):
    """`GET /admin/v2/logs/authentication`: every request HMAC-SHA1 signed with the integration's
    secret key over Date, method, host, path and sorted parameters; `mintime`/`maxtime` (epoch ms)
    on every page, continued by `next_offset` = "<timestamp ms>,<txid>" of the last event."""

    source_id: ClassVar[str] = "duo-authentication-log"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/admin/v2/logs/authentication"
    auth_scheme: ClassVar[str] = "Basic"

    def credentials(self) -> dict[str, str]:
        return {"base_url": self.base_url, "integration_key": DUO_INTEGRATION_KEY, "secret_key": self._token}

    def authorized(self, request: ApiRequest) -> bool:
        # Imported here: the fetch package brings requests and boto3 (~0.2 s), which a sandbox process
        # serving any other source never needs (see local/run/sandbox_child.py).
        from eventframework.fetch.auth_signing import canonical_params, sign

        date = request.headers.get("date", "")
        canonical = "\n".join(
            [
                date,
                request.method,
                request.host.lower(),
                request.path,
                canonical_params(request.query.items()),
            ]
        )
        signature = sign(self._token, canonical, "sha1")
        expected = "Basic " + base64.b64encode(f"{DUO_INTEGRATION_KEY}:{signature}".encode()).decode()
        return bool(date) and hmac.compare_digest(request.authorization or "", expected)

    def page_number(self, request: ApiRequest) -> int | None:
        return 1 if "next_offset" not in request.query else None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        mintime, maxtime = _epoch_ms(query, "mintime"), _epoch_ms(query, "maxtime")
        limit = limit_param(query, "limit", 100, 1000)
        if "next_offset" in query:
            position = duo_position(query["next_offset"].rsplit(",", 1)[-1])
            if position is None:
                raise BadRequest("next_offset", "must be the next_offset of a previous page")
            start = position + 1
        else:
            start = self.stream.first_ingested_at_or_after(mintime)
        selection = self.stream.select(start, limit, maxtime + 1)
        events = self.stream.events(selection.positions)
        more = bool(events) and bool(self.stream.select(selection.next_position, 1, maxtime + 1).positions)
        offset = [str(events[-1]["timestamp"] * 1000), events[-1]["txid"]] if more else None
        metadata = {"next_offset": offset, "total_objects": {"value": len(events), "relation": "gte"}}
        return Reply.json(200, {"stat": "OK", "response": {"authlogs": events, "metadata": metadata}})

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: (40002, "Invalid request parameters"),
            401: (40103, "Invalid signature in request credentials"),
            429: (42901, "Too Many Requests"),
        }
        code, message = messages.get(status, (status * 100, "Internal server error"))
        return {"stat": "FAIL", "code": code, "message": message} | (
            {"message_detail": detail} if detail else {}
        )


def _epoch_ms(query: dict[str, str], name: str) -> int:
    value = require_param(query, name)
    if not value.isdigit():
        raise BadRequest(name, f"must be epoch milliseconds, got {value!r}")
    return int(value)


class GitHubAuditLogApi(CatalogueApi):
    """`GET /orgs/example-org/audit-log?order=asc`: the first page by `phrase=created:>=<time>`, the
    following ones by the `after` cursor of the rel="next" Link header, present while more remain."""

    source_id: ClassVar[str] = "github-audit-log"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/orgs/example-org/audit-log"
    has_next_links: ClassVar[bool] = True
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

    def page_number(self, request: ApiRequest) -> int | None:
        after = request.query.get("after")
        cursor = Cursor.decode(after) if after is not None else Cursor(0, 1, 1)
        return None if cursor is None else cursor.page

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        if query.get("order") != "asc":
            raise BadRequest("order", "the sandbox lists oldest first only: pass order=asc")
        size = limit_param(query, "per_page", 30, 100)
        if "after" in query:
            cursor = Cursor.decode(query["after"])
            if cursor is None:
                raise BadRequest("after", "is not a cursor this API issued")
        else:
            phrase = require_param(query, "phrase")
            if not _GITHUB_CREATED_SINCE.fullmatch(phrase):
                raise BadRequest(
                    "phrase",
                    "the sandbox answers created:>=<date> only, the date as GitHub's search syntax "
                    "documents it: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00 (no fractions)",
                )
            cursor = Cursor(
                self.stream.first_ingested_at_or_after(parse_time(phrase[len("created:>=") :])), 1, size
            )
        selection = self.stream.select(cursor.position, size)
        headers = [("Content-Type", "application/json")]
        if selection.next_position < selection.total:
            following = Cursor(selection.next_position, cursor.page + 1, size).encode()
            base = f"https://{link_host}" if link_host else self.base_url
            next_query = urlencode({k: v for k, v in query.items() if k != "phrase"} | {"after": following})
            headers.append(("Link", f'<{base}{self.path}?{next_query}>; rel="next"'))
        return Reply(200, _json_list(self.stream.events(selection.positions)), headers)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        messages = {
            400: "Bad request",
            401: "Bad credentials",
            403: "Forbidden",
            429: "API rate limit exceeded",
        }
        return {"message": messages.get(status, "Server Error") + (f": {detail}" if detail else "")}
