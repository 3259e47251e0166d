"""The 1Password Events API sign-in attempts endpoint, `POST /api/v2/signinattempts`.

The first request carries a reset cursor (`limit`, `start_time`, optional `end_time`); later ones
only `{"cursor": ...}`, which remembers the limit and end time as 1Password's cursors do. Every
reply carries a cursor so a client can resume later; `has_more` is false once the stream is drained.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from eventframework.local.sandbox.api import (
    ApiRequest,
    BadRequest,
    Reply,
    SourceApi,
    parse_limit,
    parse_time,
)
from eventframework.local.sandbox.stream import Cursor

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEFAULT_LOOKBACK_MS = 3600 * 1000

_MESSAGES: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
}


class OnePasswordSignInApi(SourceApi):
    source_id: ClassVar[str] = "onepassword-signin-attempts"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "/api/v2/signinattempts"
    auth_scheme: ClassVar[str] = "Bearer"
    has_next_links: ClassVar[bool] = False

    def page_number(self, request: ApiRequest) -> int | None:
        try:
            document = _body(request.body)
        except BadRequest:
            return None
        if "cursor" not in document:
            return 1
        cursor = Cursor.decode(str(document["cursor"]))
        return None if cursor is None else cursor.page

    def serve(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        try:
            cursor = self._cursor(_body(request.body), now)
        except BadRequest as problem:
            return _error(400, f"{problem.parameter}: {problem.problem}")
        selection = self.stream.select(cursor.position, cursor.limit, cursor.until_ms)
        following = Cursor(selection.next_position, cursor.page + 1, cursor.limit, cursor.until_ms)
        items = b",".join(
            json.dumps(item, separators=(",", ":")).encode()
            for item in self.stream.events(selection.positions)
        )
        has_more = selection.next_position < selection.total
        head = json.dumps({"cursor": following.encode(), "has_more": has_more})[:-1].encode()
        return Reply(200, head + b',"items":[' + items + b"]}", [("Content-Type", "application/json")])

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        reply = _error(status)
        if retry_after is not None:
            reply.headers.append(("Retry-After", str(retry_after)))
        return reply

    def unauthorized(self, now: float) -> Reply:
        return _error(401)

    def _cursor(self, document: dict[str, Any], now: float) -> Cursor:
        if "cursor" in document:
            cursor = Cursor.decode(str(document["cursor"]))
            if cursor is None:
                raise BadRequest("cursor", "is not a cursor this API issued")
            return cursor
        limit = parse_limit(document.get("limit", DEFAULT_LIMIT), MAX_LIMIT)
        start = document.get("start_time")
        start_ms = parse_time(str(start)) if start else int(now * 1000) - DEFAULT_LOOKBACK_MS
        end = document.get("end_time")
        end_ms = parse_time(str(end)) if end else None
        return Cursor(self.stream.first_ingested_at_or_after(start_ms), 1, limit, end_ms)


def _body(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw or b"{}")
    except ValueError as error:
        raise BadRequest("body", "is not JSON") from error
    if not isinstance(document, dict):
        raise BadRequest("body", "must be a JSON object (a cursor or a reset cursor)")
    return document


def _error(status: int, detail: str | None = None) -> Reply:
    message = _MESSAGES.get(status, "Internal Server Error")
    return Reply.json(status, {"Error": {"Message": f"{message}: {detail}" if detail else message}})
