"""What one ReprocessBatch invocation is asked to do, and the running totals it hands back.

The execution input is `{"source"?: str, "max_events"?: int, "dry_run"?: bool}`; the state machine
adds the position reached so far (`{"source", "after"}`: the last dead-letter key examined) and the
totals, so the loop's state stays a few hundred bytes however many dead letters there are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from eventframework.pipeline._input import optional_str, required_bool, required_str
from eventframework.pipeline.errors import RunRequestError

STEP = "ReprocessBatch"
DEFAULT_MAX_EVENTS = 10_000
# Keeps one execution's history far below Step Functions' 25,000 events (about 5 per batch).
MAX_EVENTS_LIMIT = 250_000
BATCH_SIZE = 100


@dataclass
class Totals:
    """Counts of one reprocess run; `examined` is the sum of the four outcomes (or of the dry-run two)."""

    examined: int = 0
    published: int = 0
    already_published: int = 0
    still_failing: int = 0
    held_by_another_run: int = 0
    would_publish: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_value(cls, value: Any) -> Totals:
        if not isinstance(value, Mapping):
            return cls()
        known = {field.name for field in fields(cls)}
        return cls(**{key: int(count) for key, count in value.items() if key in known})


@dataclass(frozen=True)
class Position:
    """Where the next batch starts: a source and the last dead-letter key already examined in it."""

    source: str
    after: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "after": self.after}

    @classmethod
    def from_value(cls, value: Any) -> Position | None:
        if not isinstance(value, Mapping):
            return None
        return cls(required_str(STEP, value, "source"), optional_str(STEP, value, "after"))


def _max_events(run_input: Mapping[str, Any]) -> int:
    value = run_input.get("max_events", DEFAULT_MAX_EVENTS)
    if value is None:
        return DEFAULT_MAX_EVENTS
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_EVENTS_LIMIT:
        raise RunRequestError(STEP, "max_events", f"must be an integer from 1 to {MAX_EVENTS_LIMIT}")
    return value


def _dry_run(run_input: Mapping[str, Any]) -> bool:
    return "dry_run" in run_input and required_bool(STEP, run_input, "dry_run")


@dataclass(frozen=True)
class ReprocessRequest:
    source: str | None
    max_events: int
    dry_run: bool
    run_id: str
    position: Position | None = None
    totals: Totals | None = None
    batch_size: int = BATCH_SIZE

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ReprocessRequest:
        """`{"input": <execution input>, "run_id": execution ARN, "position"?, "totals"?}`."""
        run_input = event.get("input")
        if not isinstance(run_input, Mapping):
            raise RunRequestError(STEP, "input", "must be the execution input object")
        return cls(
            source=optional_str(STEP, run_input, "source"),
            max_events=_max_events(run_input),
            dry_run=_dry_run(run_input),
            run_id=required_str(STEP, event, "run_id"),
            position=Position.from_value(event.get("position")),
            totals=Totals.from_value(event.get("totals")),
        )
