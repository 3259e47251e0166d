"""The health rules of a source, applied to what the stores say about it (AWS or the local state dir).

A source is unhealthy when its last run failed, when no run succeeded within `missed_runs` schedule
intervals (a stopped schedule or a run that keeps failing), when it never ran, or when the newest
delivered event is older than `max_lag_seconds`. Dead letters are reported as a warning: they are
kept safely for reprocessing, but someone should look. The alarms in template.yaml encode the same
thresholds (see `eventframework.local.commands.template`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from eventframework.definitions import SourceDefinition
from eventframework.observability.schedule import ScheduleError, interval_seconds, next_run

FAILED_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


class Health(StrEnum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    DISABLED = "disabled"


@dataclass(frozen=True)
class RunRecord:
    """The latest execution of a source: its name, status, times (epoch seconds) and output totals."""

    name: str
    status: str
    started_at: float
    stopped_at: float | None = None
    events: int | None = None
    error: str | None = None
    cause: str | None = None
    skipped: bool = False  # it found the lease held and left (a Succeed state, but no pull)


@dataclass(frozen=True)
class BackfillRecord:
    """One backfill range of a source (its own record in the state table): where it is and who runs it."""

    since: str
    until: str
    finished_at: str | None = None
    updated_at: str | None = None
    lease_owner: str | None = None  # set while a run holds its lease
    lease_owner_status: str | None = None

    def describe(self) -> str:
        span = f"{self.since} .. {self.until}"
        if self.lease_owner and self.lease_owner_status in FAILED_STATUSES:
            return (
                f"{span}  {self.lease_owner_status} (execution {self.lease_owner}): redrive it, or "
                "run the same backfill again once its lease expires"
            )
        if self.lease_owner:
            return f"{span}  running (execution {self.lease_owner}), last saved {self.updated_at or '-'}"
        if self.finished_at:
            return f"{span}  finished {self.finished_at}"
        return f"{span}  stopped, last saved {self.updated_at or '-'}: run the same backfill again to resume"


@dataclass(frozen=True)
class SourceState:
    """What the stores hold about a source, read by a status reader (local or AWS)."""

    definition: SourceDefinition
    last_run: RunRecord | None = None
    last_success_at: float | None = None
    newest_event_at: float | None = None
    dead_letters: int = 0
    lease_owner: str | None = None
    lease_expires_at: float = 0
    lease_owner_status: str | None = None  # the status of the execution holding the lease, if known
    backfills: tuple[BackfillRecord, ...] = ()


@dataclass(frozen=True)
class SourceHealth:
    """The verdict on one source and the facts it rests on (what `efw status` prints)."""

    source: str
    health: Health
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    last_run: RunRecord | None = None
    last_success_at: float | None = None
    lag_seconds: float | None = None
    events_last_run: int | None = None
    dead_letters: int = 0
    lease_holder: str | None = None
    next_run: float | None = None
    backfills: tuple[str, ...] = ()  # each backfill range and where it stands (BackfillRecord.describe)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return self.health is not Health.UNHEALTHY


def one_line_cause(cause: str | None) -> str:
    """A Lambda error's cause is a JSON object with a stack trace: keep its message only."""
    if not cause:
        return ""
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause.splitlines()[0] if cause.strip() else cause
    if isinstance(parsed, dict) and parsed.get("errorMessage"):
        return str(parsed["errorMessage"])
    return cause


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _run_problems(state: SourceState, now: float, interval: int | None) -> list[str]:
    problems: list[str] = []
    run = state.last_run
    if run is None and state.last_success_at is None:
        return ["never ran"]
    if run is not None and run.status in FAILED_STATUSES:
        error = run.error or "no error name"
        cause = one_line_cause(run.cause)
        problems.append(f"last run {run.name} {run.status}: {error}: {cause}".rstrip(": "))
    if run is not None and run.skipped:
        problems.append(f"last run {run.name} pulled nothing: it found the source's lease held")
    if interval is not None:
        missed_runs = state.definition.monitoring.missed_runs
        allowed = interval * missed_runs
        last = state.last_success_at
        if last is None:
            problems.append("no run has succeeded yet")
        elif now - last > allowed:
            problems.append(
                f"no successful run for {_duration(now - last)} "
                f"(more than {missed_runs} schedule intervals of {_duration(interval)})"
            )
    return problems


def assess(state: SourceState, now: float) -> SourceHealth:
    """Apply the health rules to one source at time `now` (epoch seconds)."""
    definition = state.definition
    lag = None if state.newest_event_at is None else max(0.0, now - state.newest_event_at)
    lease_holder = state.lease_owner if state.lease_owner and state.lease_expires_at > now else None
    common: dict[str, Any] = {
        "source": definition.id,
        "last_run": state.last_run,
        "last_success_at": state.last_success_at,
        "lag_seconds": lag,
        "events_last_run": state.last_run.events if state.last_run else None,
        "dead_letters": state.dead_letters,
        "lease_holder": lease_holder,
        "backfills": tuple(backfill.describe() for backfill in state.backfills),
    }
    if not definition.enabled:
        return SourceHealth(health=Health.DISABLED, **common)
    problems: list[str] = []
    interval: int | None = None
    due: float | None = None
    try:
        interval = interval_seconds(definition.schedule)
        started = state.last_run.started_at if state.last_run else None
        due = next_run(definition.schedule, last_start=started, now=now)
    except ScheduleError as error:
        problems.append(str(error))
    problems += _run_problems(state, now, interval)
    if lease_holder and state.lease_owner_status in FAILED_STATUSES:
        until = datetime.fromtimestamp(state.lease_expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        problems.append(
            f"execution {lease_holder} {state.lease_owner_status} and holds the lease until {until}: "
            "every run until then is skipped; redrive it (efw redrive) or wait until then"
        )
    if lag is not None and lag > definition.monitoring.max_lag_seconds:
        problems.append(
            f"lag {_duration(lag)} is over max_lag_seconds {definition.monitoring.max_lag_seconds}"
        )
    warnings = [f"{state.dead_letters} dead letter(s) await reprocessing"] if state.dead_letters else []
    return SourceHealth(
        health=Health.UNHEALTHY if problems else Health.HEALTHY,
        problems=tuple(problems),
        warnings=tuple(warnings),
        next_run=due,
        **common,
    )
