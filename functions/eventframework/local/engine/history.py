"""AWS-shaped execution history: numbered events with their previous id, timestamp and details."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventframework.local.engine.clock import iso_timestamp


def _details_key(event_type: str) -> str:
    """`PassStateEntered` -> `stateEnteredEventDetails`, as GetExecutionHistory names them."""
    state_match = re.fullmatch(r"\w+State(Entered|Exited)", event_type)
    if state_match and event_type not in ("MapStateStarted", "ParallelStateStarted"):
        return f"state{state_match.group(1)}EventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


@dataclass
class HistoryEvent:
    id: int
    previous_event_id: int
    timestamp: datetime
    type: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The event as GetExecutionHistory returns it (camelCase keys, ISO timestamp)."""
        event: dict[str, Any] = {
            "id": self.id,
            "previousEventId": self.previous_event_id,
            "timestamp": iso_timestamp(self.timestamp),
            "type": self.type,
        }
        if self.details:
            event[_details_key(self.type)] = copy.deepcopy(self.details)
        return event

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> HistoryEvent:
        details: Mapping[str, Any] = next(
            (value for key, value in raw.items() if key.endswith("EventDetails")), {}
        )
        return cls(
            id=raw["id"],
            previous_event_id=raw["previousEventId"],
            timestamp=datetime.fromisoformat(raw["timestamp"].replace("Z", "+00:00")),
            type=raw["type"],
            details=dict(details),
        )


class History:
    """The ordered event list of one execution, numbering events as they are added.

    A Parallel state's branches add theirs from threads of their own, interleaved as in AWS, and as
    in AWS an event's `previousEventId` is the event before it in its own thread of states (a
    branch's first follows its ParallelStateStarted), so a reader can follow a failed task back to
    its scheduling and its state through a sibling's events."""

    def __init__(self, now: Callable[[], datetime], events: list[HistoryEvent] | None = None) -> None:
        self._now = now
        self.events: list[HistoryEvent] = list(events or [])
        self._lock = threading.Lock()
        self._thread = threading.local()  # `last`: the id of this thread's latest event

    @property
    def last_id(self) -> int:
        return self.events[-1].id if self.events else 0

    def add(self, event_type: str, **details: Any) -> HistoryEvent:
        """Append an event; `details` with None values are dropped as AWS omits absent fields."""
        kept = {key: value for key, value in details.items() if value is not None}
        with self._lock:
            previous = getattr(self._thread, "last", None)
            previous = self.last_id if previous is None else previous
            event = HistoryEvent(self.last_id + 1, previous, self._now(), event_type, kept)
            self.events.append(event)
        self._thread.last = event.id
        return event

    def follow(self, event_id: int) -> None:
        """The calling thread's next event follows `event_id` (a branch thread, its Parallel state's
        start)."""
        self._thread.last = event_id

    def to_list(self) -> list[dict[str, Any]]:
        return [event.to_dict() for event in self.events]
