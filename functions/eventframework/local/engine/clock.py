"""Time for the engine: a virtual clock that jumps instead of sleeping, and the real one.

Wait states, Retry back-off and timeouts all go through `Clock.sleep`, so tests and the
conformance suite run instantly while history timestamps still advance as they would on AWS.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the engine needs from time: the current instant and a way to let time pass."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...

    def interrupt(self) -> None:
        """End the current sleep now, and any later one at once (the execution is being stopped)."""
        ...


class VirtualClock:
    """A clock that only moves when the engine sleeps, by exactly the requested amount.

    One time line for the whole engine: Parallel branches that sleep at once (each on its thread)
    move it one after the other, so their sleeps add up where AWS's overlap. Tests that read times
    across concurrent sleeps should not rely on them."""

    def __init__(self, start: datetime | None = None) -> None:
        base = start or datetime(2024, 1, 1, tzinfo=UTC)
        self._now = base if base.tzinfo else base.replace(tzinfo=UTC)
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            if seconds > 0:
                self._now += timedelta(seconds=seconds)

    def interrupt(self) -> None:
        """Nothing to end: a virtual sleep never blocks."""

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep (e.g. to simulate a slow handler)."""
        with self._lock:
            self._now += timedelta(seconds=seconds)


class SystemClock:
    """Wall-clock time; `sleep` really blocks (until `interrupt`). For local runs that pace like AWS."""

    def __init__(self) -> None:
        self._interrupted = threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._interrupted.wait(seconds)

    def interrupt(self) -> None:
        self._interrupted.set()


def iso_timestamp(moment: datetime) -> str:
    """ISO-8601 with milliseconds and `Z`, the form `$$.Execution.StartTime` takes on AWS."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
