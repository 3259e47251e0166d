"""BeginRun: check the source exists, take its lease, read its checkpoint.

A second run of the same source while the first holds the lease returns `acquired: false` and the
state machine ends it cleanly; it is not a failure. A run started by "Continue in a fresh execution"
carries the lease of the run it continues (`lease.owner`), which it takes over without waiting.

The live pull's first run fixes where its first window starts (`live_since`, see
CheckpointStore.start_live) and starts from there, so a retried or redriven first run asks for the
same window and a backfill knows where the live pull's coverage begins. A backfill (input key
`backfill`, see eventframework.pipeline.backfill) takes the lease of its own record instead, after
its range was checked and clipped; `nothing_to_do` says why a backfill has nothing left to fill.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventframework.definitions import SourceDefinition, load_source
from eventframework.definitions.times import rfc3339_millis
from eventframework.fetch.cursors import Position, starting_at, window_since
from eventframework.pipeline._input import optional_str, required_mapping, required_str
from eventframework.pipeline.backfill import BackfillRange, check_request, clip
from eventframework.state import CheckpointStore
from eventframework.state.checkpoint import CHECKPOINT_SK

STEP = "BeginRun"


@dataclass(frozen=True)
class BeginRequest:
    source: str
    execution: str
    handed_over_from: str | None = None
    backfill: BackfillRange | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> BeginRequest:
        """Accept `{"input": <execution input>, "execution": name}` or a bare execution input."""
        run_input = required_mapping(STEP, event, "input") if "input" in event else event
        lease = run_input.get("lease")
        previous = optional_str(STEP, lease, "owner") if isinstance(lease, Mapping) else None
        return cls(
            source=required_str(STEP, run_input, "source"),
            execution=required_str(STEP, event, "execution"),
            handed_over_from=previous,
            backfill=BackfillRange.optional(STEP, run_input),
        )


def begin_run(
    request: BeginRequest,
    checkpoints: CheckpointStore,
    *,
    load: Callable[[str], SourceDefinition] = load_source,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """The contract's BeginRun result, plus `max_pages` (the definition's page cap for the loop),
    `checkpoint_key` (the record this run saves its cursor in) and `backfill` (its range, or null)."""
    definition = load(request.source)
    if request.backfill is not None:
        return _begin_backfill(definition, request, request.backfill, checkpoints, clock())
    result = checkpoints.acquire(definition.id, request.execution, handed_over_from=request.handed_over_from)
    cursor = result.cursor
    if result.acquired and cursor is None:
        proposed = window_since(definition, Position(), clock())
        cursor = starting_at(checkpoints.start_live(definition.id, request.execution, proposed))
    return _result(
        definition,
        lease=result.lease.to_dict(),
        cursor=cursor,
        acquired=result.acquired,
        checkpoint_key=CHECKPOINT_SK,
        backfill=None,
    )


def _begin_backfill(
    definition: SourceDefinition,
    request: BeginRequest,
    requested: BackfillRange,
    checkpoints: CheckpointStore,
    now: float,
) -> dict[str, Any]:
    backfill = requested
    if request.handed_over_from is None:  # a continuation carries the range its first run clipped
        check_request(definition, requested, datetime.fromtimestamp(now, UTC))
        clipped = clip(definition, requested, checkpoints.read(definition.id))
        if clipped.range is None:
            return _nothing_to_do(definition, requested, str(clipped.reason))
        backfill = clipped.range
        done = checkpoints.read(definition.id, backfill.key)
        if done is not None and done.last_success_at and done.lease_expires_at <= now:
            reason = f"the range {backfill.span} was filled completely at {done.last_success_at}"
            return _nothing_to_do(definition, backfill, reason)
    result = checkpoints.acquire(
        definition.id, request.execution, handed_over_from=request.handed_over_from, sk=backfill.key
    )
    cursor = result.cursor or starting_at(rfc3339_millis(backfill.since))
    return _result(
        definition,
        lease=result.lease.to_dict(),
        cursor=cursor,
        acquired=result.acquired,
        checkpoint_key=backfill.key,
        backfill=backfill,
    )


def _nothing_to_do(definition: SourceDefinition, backfill: BackfillRange, reason: str) -> dict[str, Any]:
    nothing = _result(
        definition, lease=None, cursor=None, acquired=False, checkpoint_key=backfill.key, backfill=backfill
    )
    return {**nothing, "nothing_to_do": reason}


def _result(
    definition: SourceDefinition,
    *,
    lease: dict[str, Any] | None,
    cursor: str | None,
    acquired: bool,
    checkpoint_key: str,
    backfill: BackfillRange | None,
) -> dict[str, Any]:
    return {
        "source": definition.id,
        "lease": lease,
        "cursor": cursor,
        "acquired": acquired,
        "max_pages": definition.max_pages_per_execution,
        "checkpoint_key": checkpoint_key,
        "backfill": backfill.to_dict() if backfill else None,
    }
