"""What `efw status` reads: each source's stored state, from the local state directory or from AWS.

Both readers turn the same raw material into `SourceState`s for the health rules
(`eventframework.observability.health`): the checkpoint item (lease, last success), the ledger item
(the newest delivered event's time, for lag), the dead-letter count and the newest execution of the
source (status, error, events published). Locally they come from `.efw/tables/*.jsonl` and
`.efw/executions/*.json`; in AWS from the stack's tables and the pull state machine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from eventframework.definitions import SourceDefinition
from eventframework.errors import EventFrameworkError
from eventframework.observability.health import BackfillRecord, RunRecord, SourceState
from eventframework.pipeline.backfill import BackfillRange
from eventframework.state.checkpoint import BACKFILL_SK_PREFIX
from eventframework.state.ledger import newest_epoch

STATE_TABLE = "StateTable"
DEADLETTER_TABLE = "DeadLetterTable"
PULL_MACHINE = "PullStateMachine"
# How many of the pull machine's newest executions are examined to find each source's last run.
MAX_EXECUTIONS = 200

Item = Mapping[str, Any]


class StatusSourceError(EventFrameworkError):
    """The state to report on cannot be read; `where` names the directory or stack."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


class StatusReader(Protocol):
    def states(self, definitions: Iterable[SourceDefinition]) -> list[SourceState]: ...


def _epoch(text: str | None) -> float | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.timestamp()


def _attr(item: Item | None, name: str) -> str | None:
    value = (item or {}).get(name)
    if not isinstance(value, Mapping):
        return None
    inner = value.get("S", value.get("N"))
    return str(inner) if inner is not None else None


def newest_event_at(ledger: Item | None) -> float | None:
    """The newest delivered event's epoch in the ledger item (either of the ledger's layouts)."""
    return newest_epoch(ledger)


def run_record(execution: Mapping[str, Any]) -> RunRecord:
    """A RunRecord from a DescribeExecution response or a local execution record (same field names)."""
    output = execution.get("output")
    if isinstance(output, str):
        output = json.loads(output) if output else None
    events = output.get("published") if isinstance(output, Mapping) else None
    skipped = isinstance(output, Mapping) and output.get("acquired") is False
    started, stopped = execution.get("startDate"), execution.get("stopDate")
    return RunRecord(
        name=str(execution["name"]),
        status=str(execution["status"]),
        started_at=started.timestamp() if isinstance(started, datetime) else _epoch(started) or 0.0,
        stopped_at=stopped.timestamp() if isinstance(stopped, datetime) else _epoch(stopped),
        events=int(events) if isinstance(events, int | float) else None,
        error=execution.get("error"),
        cause=execution.get("cause"),
        skipped=skipped,
    )


def _run_input(execution: Mapping[str, Any]) -> Mapping[str, Any]:
    """An execution's input: a JSON string in DescribeExecution, an object in a local record."""
    raw = execution.get("input")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, Mapping) else {}


def source_of(execution: Mapping[str, Any]) -> str | None:
    source = _run_input(execution).get("source")
    return source if isinstance(source, str) else None


def is_backfill(execution: Mapping[str, Any]) -> bool:
    """Whether a pull execution fills a past range (`efw backfill`) rather than running the live pull."""
    return _run_input(execution).get("backfill") is not None


def live_source_of(execution: Mapping[str, Any]) -> str | None:
    """The source of a live pull execution; None for a backfill (it says nothing of the live pull)."""
    return None if is_backfill(execution) else source_of(execution)


def backfill_record(item: Item, status_of: Callable[[str], str | None], now: float) -> BackfillRecord:
    """A backfill's record (sk `backfill#<since>#<until>`) as `efw status` shows it."""
    span = BackfillRange.from_key(str(_attr(item, "sk"))).to_input()
    owner = _attr(item, "lease_owner")
    held = owner if owner and float(_attr(item, "lease_expires_at") or 0) > now else None
    return BackfillRecord(
        since=span["since"],
        until=span["until"],
        finished_at=_attr(item, "last_success_at"),
        updated_at=_attr(item, "updated_at"),
        lease_owner=held,
        lease_owner_status=status_of(held) if held else None,
    )


def build_state(
    definition: SourceDefinition,
    *,
    checkpoint: Item | None,
    ledger: Item | None,
    dead_letters: int,
    last_run: RunRecord | None,
    status_of: Callable[[str], str | None] = lambda _name: None,
    backfills: Iterable[Item] = (),
) -> SourceState:
    """`status_of(name)` is an execution's status by name: the lease names its holder that way."""
    last_success = _epoch(_attr(checkpoint, "last_success_at"))
    owner = _attr(checkpoint, "lease_owner")
    expires = float(_attr(checkpoint, "lease_expires_at") or 0)  # only a live lease's holder matters
    if (
        last_run is not None
        and last_run.status == "SUCCEEDED"
        and not last_run.skipped
        and last_run.stopped_at
    ):
        last_success = max(last_success or 0.0, last_run.stopped_at)
    return SourceState(
        definition=definition,
        last_run=last_run,
        last_success_at=last_success,
        newest_event_at=newest_event_at(ledger),
        dead_letters=dead_letters,
        lease_owner=owner,
        lease_expires_at=expires,
        lease_owner_status=status_of(owner) if owner and expires > time.time() else None,
        backfills=tuple(backfill_record(item, status_of, time.time()) for item in backfills),
    )


@dataclass(frozen=True)
class LocalStatusReader:
    """The state directory `efw run` keeps (tables as DynamoDB JSON lines, execution records)."""

    state_dir: Path

    def _items(self, table: str) -> Iterator[Item]:
        # Imported here: the emulator package loads moto, which `efw status` on AWS never needs.
        from eventframework.local.emulator.snapshot import read_items

        yield from read_items(self.state_dir / "tables" / f"{table}.jsonl")

    def _executions(self) -> list[Mapping[str, Any]]:
        folder = self.state_dir / "executions"
        records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]
        return sorted(records, key=lambda record: str(record.get("startDate") or ""), reverse=True)

    def interrupted(self) -> bool:
        """A run ended without finishing: its steps are in the journal, not yet in the tables read
        here (the next `efw run` applies them; see emulator/journal.py)."""
        from eventframework.local.emulator.journal import journal_lines

        return any("op" in record for record in journal_lines(self.state_dir / "tables"))

    def sources_with_state(self) -> set[str]:
        """Sources this state directory knows about (ran at least once, or hold state)."""
        known = {str(_attr(item, "source")) for item in self._items(STATE_TABLE)}
        return known | {source for record in self._executions() if (source := source_of(record))}

    def states(self, definitions: Iterable[SourceDefinition]) -> list[SourceState]:
        if not self.state_dir.is_dir():
            raise StatusSourceError(str(self.state_dir), "no such state directory; `efw run SOURCE` makes it")
        state_items: dict[tuple[str | None, str | None], Item] = {
            (_attr(item, "source"), _attr(item, "sk")): item for item in self._items(STATE_TABLE)
        }
        dead: dict[str, int] = {}
        for item in self._items(DEADLETTER_TABLE):
            source = _attr(item, "source") or ""
            dead[source] = dead.get(source, 0) + 1
        executions = self._executions()
        statuses = {str(record.get("name")): str(record.get("status")) for record in executions}
        return [
            build_state(
                definition,
                checkpoint=state_items.get((definition.id, "checkpoint")),
                ledger=state_items.get((definition.id, "ledger")),
                dead_letters=dead.get(definition.id, 0),
                last_run=next(
                    (run_record(record) for record in executions if live_source_of(record) == definition.id),
                    None,
                ),
                status_of=statuses.get,
                backfills=[
                    item
                    for (source, sk), item in state_items.items()
                    if source == definition.id and (sk or "").startswith(BACKFILL_SK_PREFIX)
                ],
            )
            for definition in definitions
        ]
