"""Reprocess exactly the sources whose fingerprint differs from the stack's record, then record.

One reprocess execution per changed source, one after another (a deploy changes a source or two; in
sequence each reprocess publishes at the rate an operator's `efw reprocess` would, and a failure
names its source). The record is written after the runs: a source whose execution succeeded gets its
new fingerprint, one whose execution failed keeps the old one, so the next pipeline run (or a retry
of the stage) reprocesses it again. Reprocessing is idempotent (claims; docs/operations.md), so a
second pass over a source publishes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from eventframework.local.changes.records import FingerprintRecord
from eventframework.local.ops.local_ops import ReprocessReport
from eventframework.reprocess.request import DEFAULT_MAX_EVENTS


class ChangeReason(StrEnum):
    CHANGED = "schema or mapping changed"
    NEW = "new source"
    NO_RECORD = "no earlier record"  # the first run on a stack: any source may have changed


@dataclass(frozen=True)
class Change:
    source: str
    reason: ChangeReason


def changed_sources(current: Mapping[str, str], recorded: Mapping[str, str] | None) -> list[Change]:
    """The sources to reprocess, sorted: all when nothing is recorded, else the new and the changed.

    A source in the record but no longer deployed is left out: it has no definition to re-validate with.
    """
    if recorded is None:
        return [Change(source, ChangeReason.NO_RECORD) for source in sorted(current)]
    return [
        Change(source, ChangeReason.NEW if source not in recorded else ChangeReason.CHANGED)
        for source in sorted(current)
        if recorded.get(source) != current[source]
    ]


class Reprocessor(Protocol):
    """What both operator backends (LocalOps, AwsOps) offer: one reprocess execution, to its end."""

    def reprocess(
        self, source: str | None, *, dry_run: bool = False, max_events: int | None = None
    ) -> ReprocessReport: ...


@dataclass
class SourceRun:
    source: str
    reason: ChangeReason
    report: ReprocessReport

    @property
    def succeeded(self) -> bool:
        return self.report.status == "SUCCEEDED"


@dataclass
class ChangedRun:
    """The outcome of one `reprocess-changed`: which sources ran, why, and each execution's report."""

    dry_run: bool
    record: str
    runs: list[SourceRun] = field(default_factory=list)
    unchanged: int = 0
    cap: int = DEFAULT_MAX_EVENTS  # dead letters one execution examines at most

    def capped(self) -> list[str]:
        """Sources whose execution stopped at the cap: more dead letters may wait."""
        return [run.source for run in self.runs if run.report.totals.get("examined", 0) >= self.cap]

    @property
    def succeeded(self) -> bool:
        return all(run.succeeded for run in self.runs)


def next_record(
    current: Mapping[str, str], recorded: Mapping[str, str] | None, failed: set[str]
) -> dict[str, str]:
    """The record after a run: current fingerprints, but the old one (or none) for each failed source."""
    kept = {source: value for source, value in current.items() if source not in failed}
    for source in failed:
        if recorded and source in recorded:
            kept[source] = recorded[source]
    return kept


def reprocess_changed(
    ops: Reprocessor,
    record: FingerprintRecord,
    current: Mapping[str, str],
    *,
    dry_run: bool,
    max_events: int | None = None,
) -> ChangedRun:
    """Reprocess the changed sources through `ops`, then update `record`."""
    recorded = record.load()
    changes = changed_sources(current, recorded)
    outcome = ChangedRun(
        dry_run, record.where, unchanged=len(current) - len(changes), cap=max_events or DEFAULT_MAX_EVENTS
    )
    for change in changes:
        report = ops.reprocess(change.source, dry_run=dry_run, max_events=max_events)
        outcome.runs.append(SourceRun(change.source, change.reason, report))
    failed = {run.source for run in outcome.runs if not run.succeeded}
    record.save(next_record(current, recorded, failed))
    return outcome
