"""Request dispatch without sockets: route to a source API, apply pending faults, check auth, record.

The HTTP server asks this for an `Outcome` and only performs it (wait, reset or write), so every
rule about which fault wins and what gets recorded lives here, in order, in one function.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventframework.local.sandbox.api import ApiRequest, Reply, SideRoute, SourceApi
from eventframework.local.sandbox.faults import Fault, FaultBook, FaultKind

MALFORMED_BODY = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center></body></html>"
)


@dataclass(frozen=True)
class RequestRecord:
    """What a client asked for and what it got (the Authorization header is never kept).

    `status` is None when the connection was reset instead of answered; `fault` names the fault
    kind applied, if any; `page` is the page of the event stream asked for (None if unparseable).
    """

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int | None
    fault: str | None
    page: int | None
    authorized: bool
    at: float


@dataclass(frozen=True)
class Outcome:
    """What the HTTP layer must do: wait `delay` seconds, then reset or send `reply`."""

    reply: Reply | None
    delay: float = 0.0

    @property
    def reset(self) -> bool:
        return self.reply is None


@dataclass
class SourceState:
    api: SourceApi
    faults: FaultBook = field(default_factory=FaultBook)
    records: list[RequestRecord] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SandboxService:
    """All sources of one sandbox, keyed by (method, path) for routing and by id for the API."""

    def __init__(self, sources: dict[str, SourceState], clock: Callable[[], float]) -> None:
        self.sources = sources
        self._clock = clock
        self._routes = {(s.api.method, path): s for s in sources.values() for path in s.api.data_paths()}
        self._side = {
            route: (s, serve) for s in sources.values() for route, serve in s.api.side_routes().items()
        }
        self._paths = {path for _, path in self._routes} | {path for _, path in self._side}

    def handle(self, request: ApiRequest) -> Outcome:
        side = self._side.get((request.method, request.path))
        if side is not None:
            return self._side_request(side[0], side[1], request)
        state = self._routes.get((request.method, request.path))
        if state is None:
            code = 405 if request.path in self._paths else 404
            return Outcome(Reply.json(code, {"error": f"no {request.method} {request.path} here"}))
        now = self._clock()
        api = state.api
        page = api.page_number(request)
        fault = state.faults.take(page)
        authorized = api.authorized(request)
        outcome = _apply(api, request, fault, now, authorized)
        status = None if outcome.reply is None else outcome.reply.status
        record = RequestRecord(
            request.method,
            request.path,
            dict(request.query),
            _parsed_body(request.body),
            status,
            fault.kind.value if fault else None,
            page,
            authorized,
            now,
        )
        with state.lock:
            state.records.append(record)
        return outcome

    def _side_request(self, state: SourceState, serve: SideRoute, request: ApiRequest) -> Outcome:
        """A token request: answered by the API, recorded without its body (it holds secrets)."""
        reply = serve(request)
        record = RequestRecord(
            request.method,
            request.path,
            dict(request.query),
            None,
            reply.status,
            None,
            None,
            True,
            self._clock(),
        )
        with state.lock:
            state.records.append(record)
        return Outcome(reply)


def _apply(api: SourceApi, request: ApiRequest, fault: Fault | None, now: float, authorized: bool) -> Outcome:
    """Faults act like infrastructure in front of the vendor, so they win over authentication."""
    kind = fault.kind if fault else None
    if kind is FaultKind.CONNECTION_RESET:
        return Outcome(None)
    if fault is not None and fault.kind is FaultKind.HTTP_STATUS and fault.status is not None:
        reply = api.error(
            fault.status, now, retry_after=fault.retry_after, reset_in=fault.rate_limit_reset_in
        )
        return Outcome(reply)
    if not authorized:
        return Outcome(api.unauthorized(now))
    link_host = fault.host if fault and kind is FaultKind.FOREIGN_NEXT_LINK else None
    reply = api.serve(request, now, link_host)
    if reply.status == 200 and kind is FaultKind.MALFORMED_JSON:
        reply.body = MALFORMED_BODY
    elif reply.status == 200 and kind is FaultKind.TRUNCATED_BODY:
        reply.body = reply.body[: max(len(reply.body) // 2, 1)]
    delay = fault.seconds if fault and kind is FaultKind.SLOW else 0.0
    return Outcome(reply, delay)


def _parsed_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")
