"""The ingestion-ordered event log of one sandbox source, and the opaque cursors that point into it.

Only two integers per event are held (event time and ingestion time, epoch milliseconds); the event
body is generated on demand from the seed and the ingestion position, so a stream of a million
events costs about 16 MB instead of a few gigabytes of dicts.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# Builds the event at an ingestion position with the given event time (epoch ms).
EventFactory = Callable[[int, int], dict[str, Any]]


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts, which page of the chain it is, and the query it continues.

    Vendors' cursors are opaque; ours are base64 of a small JSON document so tests can decode them
    when they must, while clients have to treat them as opaque strings.
    """

    position: int
    page: int
    limit: int
    until_ms: int | None = None

    def encode(self) -> str:
        doc = {"p": self.position, "n": self.page, "l": self.limit, "u": self.until_ms}
        raw = json.dumps(doc, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """The cursor, or None when `text` is not one of ours (the API answers 400 then)."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            doc = json.loads(raw)
            cursor = cls(int(doc["p"]), int(doc["n"]), int(doc["l"]), _optional_int(doc.get("u")))
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        if cursor.position < 0 or cursor.page < 1 or cursor.limit < 1:
            return None
        return cursor


def _optional_int(value: object) -> int | None:
    return None if value is None else int(str(value))


@dataclass(frozen=True)
class Selection:
    """The positions of one page and the position the following page starts at."""

    positions: list[int]
    next_position: int
    total: int


class EventStream:
    """Events of one source in ingestion order; thread-safe so tests can ingest while serving."""

    def __init__(self, factory: EventFactory, count: int, start_ms: int, interval_ms: int) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._event_ms = array("q", range(start_ms, start_ms + count * interval_ms, interval_ms))
        self._ingested_ms = array("q", self._event_ms)
        self._interval_ms = interval_ms

    def __len__(self) -> int:
        with self._lock:
            return len(self._event_ms)

    def last_event_ms(self) -> int | None:
        with self._lock:
            return self._event_ms[-1] if self._event_ms else None

    def append(self, event_times_ms: list[int], now_ms: int) -> range:
        """Ingest events with the given event times now; returns their positions.

        Ingestion time never goes backwards (a clock that does would reorder the log), so it is the
        later of `now_ms` and the previous ingestion time.
        """
        with self._lock:
            first = len(self._event_ms)
            ingested = max(now_ms, self._ingested_ms[-1]) if self._ingested_ms else now_ms
            for event_ms in event_times_ms:
                self._event_ms.append(event_ms)
                self._ingested_ms.append(ingested)
            return range(first, len(self._event_ms))

    def first_ingested_at_or_after(self, ms: int) -> int:
        """Position of the first event ingested at or after `ms` (lower bounds use ingestion time)."""
        with self._lock:
            return bisect_left(self._ingested_ms, ms)

    def select(self, start: int, limit: int, until_ms: int | None = None) -> Selection:
        """Up to `limit` positions from `start`; with `until_ms`, only events that happened before it."""
        with self._lock:
            total = len(self._event_ms)
            if until_ms is None:
                end = min(start + limit, total)
                return Selection(list(range(start, end)), max(end, start), total)
            positions: list[int] = []
            position = start
            while position < total and len(positions) < limit:
                if self._event_ms[position] < until_ms:
                    positions.append(position)
                position += 1
            return Selection(positions, max(position, start), total)

    def event(self, position: int) -> dict[str, Any]:
        with self._lock:
            event_ms = self._event_ms[position]
        return self._factory(position, event_ms)

    def events(self, positions: list[int]) -> list[dict[str, Any]]:
        with self._lock:
            times = [self._event_ms[p] for p in positions]
        return [self._factory(p, ms) for p, ms in zip(positions, times, strict=True)]

    def iter_events(self) -> Iterator[dict[str, Any]]:
        """Every event ingested so far, generated one at a time (safe for a million events)."""
        total = len(self)
        for position in range(total):
            yield self.event(position)
