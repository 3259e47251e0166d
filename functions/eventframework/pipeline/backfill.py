"""Backfill: fill a past range of a source beside its live pull, never touching the live cursor.

A backfill is a run of the same pull state machine with ``{"source": id, "backfill": {"since": T,
"until": T}}`` as input. It keeps its own record in the state table (sk ``backfill#<since>#<until>``:
cursor, lease, completion time) and its own dedup ledger (``ledger#backfill#...``), so the live
pull, its schedule and its lease carry on untouched, and a backfill run again with the same range
finds its record and resumes where it stopped (or says it is complete).

No overlap, no gap: the live pull records where its first window started (``live_since`` on the
live record, fixed by BeginRun on the first run). The range is clipped at the earliest event that
window could have asked for (``cursors.coverage_start``: its start less the lag, floored to the
vendor's time format), and ProcessPage delivers only events inside the clipped range, so what the
live pull delivers and what a backfill delivers are disjoint, whatever the vendor returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventframework.definitions import SourceDefinition
from eventframework.definitions.times import parse_event_time, rfc3339_millis
from eventframework.errors import EventFrameworkError
from eventframework.fetch.cursors import coverage_start
from eventframework.pipeline._input import required_str
from eventframework.pipeline.errors import RunRequestError
from eventframework.state import Checkpoint
from eventframework.state.checkpoint import BACKFILL_SK_PREFIX

LEDGER_PREFIX = "ledger#"


class BackfillRangeError(EventFrameworkError):
    """A backfill range that cannot be filled: `source` and `reason` say why, in words to act on."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"cannot backfill {source}: {reason}")


def to_millis(moment: datetime) -> datetime:
    """``moment`` in UTC, cut down to the millisecond (earlier, never later)."""
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class BackfillRange:
    """A half-open range of event times, ``since <= t < until``, at millisecond precision."""

    since: datetime
    until: datetime

    @property
    def key(self) -> str:
        """The sort key of this range's record in the state table."""
        return f"{BACKFILL_SK_PREFIX}{rfc3339_millis(self.since)}#{rfc3339_millis(self.until)}"

    @property
    def ledger_key(self) -> str:
        return LEDGER_PREFIX + self.key

    def contains(self, moment: datetime) -> bool:
        return self.since <= moment < self.until

    @property
    def span(self) -> str:
        """``since .. until``, as messages show the range."""
        return f"{rfc3339_millis(self.since)} .. {rfc3339_millis(self.until)}"

    def to_input(self) -> dict[str, str]:
        """The range as a pull execution's input carries it (what `parse` reads back)."""
        return {"since": rfc3339_millis(self.since), "until": rfc3339_millis(self.until)}

    def to_dict(self) -> dict[str, str]:
        return {**self.to_input(), "key": self.key}

    @classmethod
    def parse(cls, step: str, value: Any) -> BackfillRange:
        """The range from step input; times are truncated to milliseconds so keys round-trip."""
        if not isinstance(value, Mapping):
            raise RunRequestError(step, "backfill", "must be an object with 'since' and 'until'")
        bounds = []
        for name in ("since", "until"):
            text = required_str(step, value, name)
            try:
                bounds.append(to_millis(parse_event_time(text)))
            except ValueError:
                raise RunRequestError(step, f"backfill.{name}", f"{text!r} is not an ISO 8601 time") from None
        since, until = bounds
        if since >= until:
            problem = f"since ({rfc3339_millis(since)}) must be before until ({rfc3339_millis(until)})"
            raise RunRequestError(step, "backfill", problem)
        return cls(since, until)

    @classmethod
    def from_key(cls, key: str) -> BackfillRange:
        """The range a record's sort key (`key`) names."""
        _, since, until = key.split("#", 2)
        return cls(parse_event_time(since), parse_event_time(until))

    @classmethod
    def optional(cls, step: str, event: Mapping[str, Any]) -> BackfillRange | None:
        value = event.get("backfill")
        return None if value is None else cls.parse(step, value)


def check_request(definition: SourceDefinition, requested: BackfillRange, now: datetime) -> None:
    """Refuse what no run could fill: a push-only source, a range in the future, or one reaching
    further back than the vendor serves events (its documented retention)."""
    if not definition.pulled:
        reason = "it only pushes events (webhook or EventBridge); there is nothing to pull"
        raise BackfillRangeError(definition.id, reason)
    if requested.until > now:
        until = rfc3339_millis(requested.until)
        reason = f"until ({until}) is in the future; the live pull covers what is to come"
        raise BackfillRangeError(definition.id, reason)
    days = definition.backfill.retention_days
    if days is not None and requested.since < now - timedelta(days=days):
        earliest = now - timedelta(days=days)
        raise BackfillRangeError(
            definition.id,
            f"since ({rfc3339_millis(requested.since)}) is more than {days} days ago, and the vendor serves "
            f"only the last {days} days ({definition.backfill.retention_reference}); the earliest "
            f"start is {rfc3339_millis(earliest)}",
        )


@dataclass(frozen=True)
class Clipped:
    """What is left of a requested range once the live pull's coverage is taken out: ``range`` to
    fill, or None with ``reason`` when nothing is left."""

    range: BackfillRange | None
    reason: str | None = None


def clip(definition: SourceDefinition, requested: BackfillRange, live: Checkpoint | None) -> Clipped:
    """The part of ``requested`` before the live pull's first window (see the module docstring)."""
    if live is None or live.live_since is None:
        began = live is not None and live.cursor is not None
        raise BackfillRangeError(
            definition.id,
            "its live pull began before this version recorded where it starts, so the boundary "
            "between the two is unknown; set `live_since` (ISO 8601, the start of the live pull's "
            "first window) on its checkpoint item in the state table, then backfill"
            if began
            else "its live pull has not started yet (a backfill fills what came before the live "
            f"pull's first window): run it first (efw run {definition.id}, or let its schedule run once)",
        )
    covered = coverage_start(definition, live.live_since)
    if requested.since >= covered:
        return Clipped(
            None,
            f"the range {requested.span} lies inside what the live pull covers "
            f"(from {rfc3339_millis(covered)}); nothing to backfill",
        )
    return Clipped(BackfillRange(requested.since, min(requested.until, to_millis(covered))))
