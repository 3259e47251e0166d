"""The Okta System Log endpoint, `GET /api/v1/logs`, with Okta's polling semantics and headers.

Polling (no `until`): the `rel="next"` link is always present, even on an empty page, because new
events may arrive later; on an empty page it is the request's own URL, the same as `rel="self"`
(reported against Okta in https://github.com/okta/okta-sdk-python/issues/231, and what Grove's Okta
connector stops on); the client stops on an empty page and keeps the link. `since` applies to
persistence (ingestion) time, as Okta documents for polling queries, so late-arriving events are
never skipped by a cursor. Every reply carries X-Rate-Limit-Limit/-Remaining/-Reset.
"""

from __future__ import annotations

import math
import threading
from typing import ClassVar
from urllib.parse import urlencode

import orjson

from eventframework.local.sandbox.api import (
    JSON_TYPE,
    ApiRequest,
    BadRequest,
    Reply,
    SourceApi,
    parse_limit,
    parse_time,
)
from eventframework.local.sandbox.stream import Cursor, EventStream

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEFAULT_LOOKBACK_MS = 7 * 24 * 3600 * 1000
RATE_WINDOW_SECONDS = 60

_ERRORS: dict[int, tuple[str, str]] = {
    400: ("E0000001", "Api validation failed"),
    401: ("E0000011", "Invalid token provided"),
    403: ("E0000006", "You do not have permission to perform the requested action"),
    404: ("E0000007", "Not found: Resource not found"),
    429: ("E0000047", "API call exceeded rate limit due to too many requests."),
}
_SERVER_ERROR = ("E0000009", "Internal Server Error")


class RateWindow:
    """Okta-style per-minute request budget, reported (not enforced: faults do the refusing)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._window_start = -1
        self._used = 0

    def count(self, now: float) -> tuple[int, int]:
        """Record one request; returns (remaining, reset epoch seconds)."""
        start = int(now) - int(now) % RATE_WINDOW_SECONDS
        with self._lock:
            if start != self._window_start:
                self._window_start, self._used = start, 0
            self._used += 1
            return max(self.limit - self._used, 0), start + RATE_WINDOW_SECONDS


class OktaSystemLogApi(SourceApi):
    source_id: ClassVar[str] = "okta-system-log"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/api/v1/logs"
    auth_scheme: ClassVar[str] = "SSWS"
    has_next_links: ClassVar[bool] = True

    def __init__(self, stream: EventStream, token: str, base_url: str, rate_limit: int = 6000) -> None:
        super().__init__(stream, token, base_url)
        self._rate = RateWindow(rate_limit)
        self._error_count = 0
        self._lock = threading.Lock()

    def page_number(self, request: ApiRequest) -> int | None:
        after = request.query.get("after")
        if after is None:
            return 1
        cursor = Cursor.decode(after)
        return None if cursor is None else cursor.page

    def serve(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        try:
            cursor = self._cursor(request.query, now)
        except BadRequest as problem:
            return self._error_reply(400, now, cause=f"{problem.parameter}: {problem.problem}")
        selection = self.stream.select(cursor.position, cursor.limit, cursor.until_ms)
        following = Cursor(selection.next_position, cursor.page + 1, cursor.limit, cursor.until_ms)
        body = b"[" + b",".join(_encode(e) for e in self.stream.events(selection.positions)) + b"]"
        self_query = urlencode(request.query)
        caught_up = len(selection.positions) == 0
        next_query = (
            self_query if caught_up else urlencode({"after": following.encode(), "limit": cursor.limit})
        )
        next_base = f"https://{link_host}" if link_host else self.base_url
        headers = [
            ("Content-Type", JSON_TYPE),
            ("Link", f'<{self.base_url}{self.path}?{self_query}>; rel="self"'),
            ("Link", f'<{next_base}{self.path}?{next_query}>; rel="next"'),
            *self._rate_headers(now),
        ]
        return Reply(200, body, headers)

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        reply = self._error_reply(status, now)
        if status == 429 or reset_in is not None:
            # A refused request leaves no budget; without `reset_in` the 429 carries no usable wait.
            reply.headers = [h for h in reply.headers if not h[0].startswith("X-Rate-Limit")]
        if reset_in is not None:
            reply.headers += [
                ("X-Rate-Limit-Limit", str(self._rate.limit)),
                ("X-Rate-Limit-Remaining", "0"),
                ("X-Rate-Limit-Reset", str(math.ceil(now) + reset_in)),
            ]
        if retry_after is not None:
            reply.headers.append(("Retry-After", str(retry_after)))
        return reply

    def unauthorized(self, now: float) -> Reply:
        return self._error_reply(401, now)

    def _cursor(self, query: dict[str, str], now: float) -> Cursor:
        limit = parse_limit(query.get("limit", DEFAULT_LIMIT), MAX_LIMIT)
        after = query.get("after")
        if after is not None:
            cursor = Cursor.decode(after)
            if cursor is None:
                raise BadRequest("after", "is not a cursor this API issued")
            return Cursor(cursor.position, cursor.page, limit, cursor.until_ms)
        since = query.get("since")
        since_ms = parse_time(since) if since else int(now * 1000) - DEFAULT_LOOKBACK_MS
        until = query.get("until")
        until_ms = parse_time(until) if until else None
        if until_ms is not None and until_ms < since_ms:
            raise BadRequest("until", "must not be before since")
        return Cursor(self.stream.first_ingested_at_or_after(since_ms), 1, limit, until_ms)

    def _rate_headers(self, now: float) -> list[tuple[str, str]]:
        remaining, reset = self._rate.count(now)
        return [
            ("X-Rate-Limit-Limit", str(self._rate.limit)),
            ("X-Rate-Limit-Remaining", str(remaining)),
            ("X-Rate-Limit-Reset", str(reset)),
        ]

    def _error_reply(self, status: int, now: float, cause: str | None = None) -> Reply:
        code, summary = _ERRORS.get(status, _SERVER_ERROR)
        with self._lock:
            self._error_count += 1
            error_id = f"oae{self._error_count:019d}"
        document = {
            "errorCode": code,
            "errorSummary": f"{summary}: {cause}" if cause else summary,
            "errorLink": code,
            "errorId": error_id,
            "errorCauses": [{"errorSummary": cause}] if cause else [],
        }
        return Reply.json(status, document, self._rate_headers(now))


def _encode(event: object) -> bytes:
    """orjson: the page is the sandbox's busiest work (json.dumps took ~40% of serving it)."""
    return orjson.dumps(event)
