"""`Sandbox`: the public face of the loopback SaaS API used by the CLI, e2e tests and benchmarks.

It owns the event streams (one per source, generated from the seed), the fault books, the HTTP
server thread and, with `tls=True`, a temporary self-signed certificate.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eventframework.local.lifecycle import Service
from eventframework.local.sandbox import vendors
from eventframework.local.sandbox.api import Profile
from eventframework.local.sandbox.catalogue_events import (
    Auth0EventFactory,
    DuoEventFactory,
    GitHubAuditEventFactory,
    GoogleLoginEventFactory,
    GraphSignInEventFactory,
    SlackAuditEventFactory,
)
from eventframework.local.sandbox.errors import (
    FaultNotApplicableError,
    SandboxStateError,
    UnknownSourceError,
)
from eventframework.local.sandbox.faults import Fault, FaultKind
from eventframework.local.sandbox.newest_first_apis import (
    GoogleLoginActivitiesApi,
    GraphSignInsApi,
    SlackAuditLogsApi,
)
from eventframework.local.sandbox.okta_api import OktaSystemLogApi
from eventframework.local.sandbox.okta_events import OktaEventFactory
from eventframework.local.sandbox.oldest_first_apis import Auth0LogsApi, DuoAuthLogApi, GitHubAuditLogApi
from eventframework.local.sandbox.onepassword_api import OnePasswordSignInApi
from eventframework.local.sandbox.onepassword_events import OnePasswordEventFactory
from eventframework.local.sandbox.server import SandboxHTTPServer
from eventframework.local.sandbox.service import RequestRecord, SandboxService, SourceState
from eventframework.local.sandbox.stream import EventStream
from eventframework.local.sandbox.tls import make_server_context
from eventframework.local.sandbox.vendor_shapes import with_vendor_shapes

# The sources the sandbox serves: id -> (API class, event factory class taking the seed).
_FIRST_SOURCES: dict[str, Profile] = {
    OktaSystemLogApi.source_id: (OktaSystemLogApi, OktaEventFactory),
    OnePasswordSignInApi.source_id: (OnePasswordSignInApi, OnePasswordEventFactory),
    Auth0LogsApi.source_id: (Auth0LogsApi, Auth0EventFactory),
    DuoAuthLogApi.source_id: (DuoAuthLogApi, DuoEventFactory),
    GoogleLoginActivitiesApi.source_id: (GoogleLoginActivitiesApi, GoogleLoginEventFactory),
    GitHubAuditLogApi.source_id: (GitHubAuditLogApi, GitHubAuditEventFactory),
    SlackAuditLogsApi.source_id: (SlackAuditLogsApi, SlackAuditEventFactory),
    GraphSignInsApi.source_id: (GraphSignInsApi, GraphSignInEventFactory),
}
SOURCES: dict[str, Profile] = _FIRST_SOURCES | vendors.profiles()
INGEST_STEP_MS = 1


class Sandbox(Service):
    """A running fake of the vendors' APIs on 127.0.0.1, with fault injection and ground truth.

    `events` gives the initial number of events per source (others start empty). Initial events
    are `interval` apart, the first at `start_time` (default: so the last one is at "now").
    `clock` (epoch seconds) drives ingestion and rate-limit times so tests can use a virtual clock.
    """

    def __init__(
        self,
        events: Mapping[str, int] | None = None,
        *,
        seed: int = 0,
        token: str | None = None,
        tls: bool = False,
        start_time: datetime | None = None,
        interval: timedelta = timedelta(seconds=1),
        clock: Callable[[], float] = time.time,
        port: int = 0,
    ) -> None:
        counts = dict(events or {})
        for source in counts:
            self._check_source(source)
        self.seed = seed
        self.token = token or secrets.token_urlsafe(24)
        self.tls = tls
        self._clock = clock
        self._port = port
        self._interval_ms = max(int(interval.total_seconds() * 1000), 1)
        self._streams = {
            source: self._make_stream(source, counts.get(source, 0), start_time) for source in SOURCES
        }
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._service: SandboxService | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self.ca_file: Path | None = None

    # Lifecycle -------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._server is not None:
            raise SandboxStateError("the sandbox is already running; stop() it first")
        context = None
        if self.tls:
            self._tempdir = tempfile.TemporaryDirectory(prefix="efw-sandbox-")
            context, self.ca_file = make_server_context(Path(self._tempdir.name))
        service = SandboxService({}, self._clock)
        self._server = SandboxHTTPServer(self._port, service, context)
        base_url = f"{'https' if self.tls else 'http'}://127.0.0.1:{self._server.server_address[1]}"
        states = {
            source: SourceState(api_class(self._streams[source], self.token, base_url))
            for source, (api_class, _) in SOURCES.items()
        }
        self._service = SandboxService(states, self._clock)
        self._server.service = self._service
        self._base_url = base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="efw-sandbox", kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and join every thread; safe to call twice."""
        if self._server is None:
            return
        self._server.close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    @property
    def base_url(self) -> str:
        """`http(s)://127.0.0.1:<port>`: both sources live under this one origin."""
        if self._server is None:
            raise SandboxStateError("the sandbox is not running; use `with Sandbox(...)` or start()")
        return self._base_url

    @property
    def sources(self) -> list[str]:
        return list(SOURCES)

    def credentials(self, source: str) -> dict[str, str]:
        """The secret a client of `source` needs here, in that source's auth kind's shape: a token,
        OAuth2 client credentials, a Duo integration and secret key, or a service-account key."""
        return self._state(source).api.credentials()

    # Faults ----------------------------------------------------------------------------------
    def inject(self, source: str, fault: Fault) -> None:
        """Apply `fault` to the next matching requests of `source` (see `Fault`)."""
        api_class, _ = SOURCES[self._check_source(source)]
        if fault.kind is FaultKind.FOREIGN_NEXT_LINK and not api_class.has_next_links:
            raise FaultNotApplicableError(source, fault.kind.value, "its API returns no next links")
        self._state(source).faults.add(fault)

    def pending_faults(self, source: str) -> list[tuple[Fault, int]]:
        """Faults of `source` not used up yet, with their remaining uses."""
        return self._state(source).faults.pending()

    def clear_faults(self, source: str) -> None:
        self._state(source).faults.clear()

    # Events ----------------------------------------------------------------------------------
    def ingest(self, source: str, count: int) -> list[dict[str, Any]]:
        """Append `count` new events happening now (after every earlier event); returns them."""
        stream = self._streams[self._check_source(source)]
        now_ms = int(self._clock() * 1000)
        last = stream.last_event_ms()
        first_ms = now_ms if last is None else max(now_ms, last + INGEST_STEP_MS)
        return self._append(stream, [first_ms + k * INGEST_STEP_MS for k in range(count)], now_ms)

    def ingest_late(self, source: str, count: int, age_seconds: float) -> list[dict[str, Any]]:
        """Append `count` events that happened `age_seconds` ago but are ingested now."""
        stream = self._streams[self._check_source(source)]
        now_ms = int(self._clock() * 1000)
        first_ms = now_ms - int(age_seconds * 1000)
        return self._append(stream, [first_ms + k * INGEST_STEP_MS for k in range(count)], now_ms)

    def events(self, source: str) -> list[dict[str, Any]]:
        """Ground truth: every event ingested so far, in ingestion order (materialised)."""
        return list(self.iter_events(source))

    def iter_events(self, source: str) -> Iterator[dict[str, Any]]:
        """Ground truth one event at a time, for counts too large to materialise."""
        return self._streams[self._check_source(source)].iter_events()

    def event_count(self, source: str) -> int:
        return len(self._streams[self._check_source(source)])

    def requests(self, source: str) -> list[RequestRecord]:
        """Every request made to `source`'s endpoint so far, in arrival order."""
        state = self._state(source)
        with state.lock:
            return list(state.records)

    # Internals -------------------------------------------------------------------------------
    def _make_stream(self, source: str, count: int, start_time: datetime | None) -> EventStream:
        _, factory_class = SOURCES[source]
        if start_time is None:
            start_ms = int(self._clock() * 1000) - count * self._interval_ms
        else:
            aware = start_time if start_time.tzinfo else start_time.replace(tzinfo=UTC)
            start_ms = int(aware.timestamp() * 1000)
        seed = self.seed
        factory = _BuiltOnFirstUse(lambda: with_vendor_shapes(source, factory_class(seed)))
        return EventStream(factory, count, start_ms, self._interval_ms)

    def _append(self, stream: EventStream, times_ms: list[int], now_ms: int) -> list[dict[str, Any]]:
        positions = stream.append(times_ms, now_ms)
        return stream.events(list(positions))

    def _state(self, source: str) -> SourceState:
        self._check_source(source)
        if self._service is None:
            raise SandboxStateError("the sandbox is not running; use `with Sandbox(...)` or start()")
        return self._service.sources[source]

    @staticmethod
    def _check_source(source: str) -> str:
        if source not in SOURCES:
            raise UnknownSourceError(source, list(SOURCES))
        return source


class _BuiltOnFirstUse:
    """An event factory built when its first event is made.

    A sandbox holds a stream for every source it can serve, but a run asks one of them for events;
    building all ~40 vendors' factories (their generated people, hosts and names) cost ~0.2 s of
    every `efw run`'s start-up.
    """

    def __init__(self, build: Callable[[], Callable[[int, int], dict[str, Any]]]) -> None:
        self._build = build
        self._factory: Callable[[int, int], dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        if self._factory is None:
            with self._lock:
                if self._factory is None:
                    self._factory = self._build()
        return self._factory(position, event_ms)
