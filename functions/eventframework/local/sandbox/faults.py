"""Fault injection: what can go wrong with a request, and the per-source book of pending faults.

Faults are consumed per matching request (the next `times` requests), never by wall clock, so a
test driven by a virtual clock sees the same faults on every run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from enum import Enum

MAX_SLOW_SECONDS = 10.0


class FaultKind(Enum):
    HTTP_STATUS = "http_status"
    SLOW = "slow"
    CONNECTION_RESET = "connection_reset"
    MALFORMED_JSON = "malformed_json"
    TRUNCATED_BODY = "truncated_body"
    FOREIGN_NEXT_LINK = "foreign_next_link"


@dataclass(frozen=True)
class Fault:
    """One kind of misbehaviour, for the next `times` requests (optionally only at page `page`)."""

    kind: FaultKind
    times: int = 1
    status: int | None = None
    retry_after: int | None = None
    rate_limit_reset_in: int | None = None
    seconds: float = 0.0
    host: str | None = None
    page: int | None = None

    def __post_init__(self) -> None:
        if self.times < 1:
            raise ValueError(f"a fault must apply at least once, got times={self.times}")
        if self.page is not None and self.page < 1:
            raise ValueError(f"pages are counted from 1, got page={self.page}")

    @staticmethod
    def http_status(
        status: int,
        times: int = 1,
        *,
        retry_after: int | None = None,
        rate_limit_reset_in: int | None = None,
    ) -> Fault:
        """Answer `status` with the vendor's error body; for 429, optionally say when to retry:
        `retry_after` sets Retry-After (seconds), `rate_limit_reset_in` sets X-Rate-Limit-Reset to
        the sandbox clock plus that many seconds. With neither, the 429 carries no usable wait."""
        if not 400 <= status <= 599:
            raise ValueError(f"http_status faults are error statuses (400-599), got {status}")
        return Fault(
            FaultKind.HTTP_STATUS,
            times,
            status=status,
            retry_after=retry_after,
            rate_limit_reset_in=rate_limit_reset_in,
        )

    @staticmethod
    def slow(seconds: float, times: int = 1) -> Fault:
        """Delay the (otherwise normal) response; bounded so a forgotten fault cannot hang a suite."""
        if not 0 < seconds <= MAX_SLOW_SECONDS:
            raise ValueError(f"slow faults take 0 < seconds <= {MAX_SLOW_SECONDS}, got {seconds}")
        return Fault(FaultKind.SLOW, times, seconds=seconds)

    @staticmethod
    def connection_reset(times: int = 1) -> Fault:
        """Reset the TCP connection (RST) instead of answering."""
        return Fault(FaultKind.CONNECTION_RESET, times)

    @staticmethod
    def malformed_json(times: int = 1) -> Fault:
        """Answer 200 with a body that is not JSON (an HTML error page from a proxy)."""
        return Fault(FaultKind.MALFORMED_JSON, times)

    @staticmethod
    def truncated_body(times: int = 1) -> Fault:
        """Answer 200 with the real page cut in half (Content-Length matches the cut body)."""
        return Fault(FaultKind.TRUNCATED_BODY, times)

    @staticmethod
    def foreign_next_link(host: str = "evil.example", times: int = 1) -> Fault:
        """Serve the real page but point its next link at another host."""
        return Fault(FaultKind.FOREIGN_NEXT_LINK, times, host=host)

    @staticmethod
    def on_page(page: int, fault: Fault) -> Fault:
        """`fault`, but only for requests for the `page`-th page of the event stream."""
        return replace(fault, page=page)


@dataclass
class _Pending:
    fault: Fault
    remaining: int = field(init=False)

    def __post_init__(self) -> None:
        self.remaining = self.fault.times


class FaultBook:
    """Faults waiting for requests of one source, consumed in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(_Pending(fault))

    def take(self, page: int | None) -> Fault | None:
        """The fault that applies to a request for `page` (None if unknown), consuming one use."""
        with self._lock:
            for pending in self._pending:
                if pending.fault.page is not None and pending.fault.page != page:
                    continue
                pending.remaining -= 1
                if pending.remaining == 0:
                    self._pending.remove(pending)
                return pending.fault
            return None

    def pending(self) -> list[tuple[Fault, int]]:
        """Faults not yet used up, with how many uses each has left."""
        with self._lock:
            return [(pending.fault, pending.remaining) for pending in self._pending]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
