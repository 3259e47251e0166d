"""ProcessPage: turn a stored page into MozDef events on the queue, dead letters and ledger entries.

Order matters for the guarantees: drop ids the ledger has seen, publish, dead-letter what could not
be published or validated, and only then record the published ids in the ledger. The checkpoint is
saved by the state machine after this step succeeded, and this step first checks that its run still
holds the source's lease, so a run redriven after another took over publishes nothing. A crash
anywhere before the checkpoint makes the page be processed again; the ledger keeps that from
publishing the same event twice, except for the narrow window between publish and the ledger write
(at-least-once, never lost).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from eventframework.definitions import SourceDefinition, load_source
from eventframework.definitions.paths import compile_path
from eventframework.definitions.times import parse_event_time
from eventframework.fetch import parse_records
from eventframework.fetch.cursors import overlap_seconds
from eventframework.pipeline._input import required_mapping, required_str
from eventframework.pipeline.backfill import BackfillRange
from eventframework.pipeline.services import Services
from eventframework.process import process_records
from eventframework.process.results import ProcessResult
from eventframework.publish.delivery import deliver
from eventframework.state import PageRef
from eventframework.state.checkpoint import CHECKPOINT_SK
from eventframework.state.ledger import LEDGER_SK

STEP = "ProcessPage"

Process = Callable[[SourceDefinition, Sequence[Any], Container[str]], ProcessResult]


@dataclass(frozen=True)
class ProcessRequest:
    source: str
    execution: str
    page: PageRef
    run_id: str
    lease_owner: str | None = None
    backfill: BackfillRange | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ProcessRequest:
        page = required_mapping(STEP, event, "page")
        execution = required_str(STEP, event, "execution")
        owner = event.get("lease_owner")
        return cls(
            source=required_str(STEP, event, "source"),
            execution=execution,
            page=PageRef(required_str(STEP, page, "bucket"), required_str(STEP, page, "key")),
            run_id=str(event.get("run_id") or execution),
            lease_owner=str(owner) if owner else None,
            backfill=BackfillRange.optional(STEP, event),
        )


@dataclass(frozen=True)
class ProcessOutcome:
    """The contract's counts, plus `lease_expires_at` (the lease expiry the checkpoint write sets) and,
    in a backfill, `outside_range`: events of the page outside its range, left to whoever covers them."""

    fetched: int
    published: int
    dead_lettered: int
    duplicates: int
    newest_event_time: str | None
    lease_expires_at: int
    outside_range: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inside(definition: SourceDefinition, records: list[Any], backfill: BackfillRange) -> list[Any]:
    """The records whose event time is inside the range; one without a usable time stays, so the
    processor dead-letters it with the reason rather than this step dropping it unseen."""
    event_time = compile_path(definition.event_time_path)
    kept = []
    for record in records:
        try:
            moment = parse_event_time(event_time(record))
        except ValueError:
            kept.append(record)
            continue
        if backfill.contains(moment):
            kept.append(record)
    return kept


def process_step(
    request: ProcessRequest,
    services: Services,
    *,
    load: Callable[[str], SourceDefinition] = load_source,
    process: Process = process_records,
    clock: Callable[[], float] = time.time,
) -> ProcessOutcome:
    definition = load(request.source)
    backfill = request.backfill
    if request.lease_owner is not None:  # a stale run (redriven after another took over) stops here
        sk = backfill.key if backfill else CHECKPOINT_SK
        services.checkpoints.require_lease(request.source, request.lease_owner, sk)
    body = services.pages.get(request.page)
    _, page_records = parse_records(definition, body, f"s3://{request.page.bucket}/{request.page.key}")
    records = page_records if backfill is None else _inside(definition, page_records, backfill)
    ledger = services.ledger(
        definition.id,
        window_seconds=overlap_seconds(definition),
        page_size=definition.page_size,
        sk=backfill.ledger_key if backfill else LEDGER_SK,
    )
    result = process(definition, records, ledger.seen())
    delivered = deliver(
        definition,
        records,
        result,
        services.publisher,
        services.deadletters,
        run_id=request.run_id,
        page_ref=request.page,
    )
    ledger.record(entry for index, entry in enumerate(result.delivered) if index not in delivered.refused)
    return ProcessOutcome(
        fetched=len(page_records),
        published=delivered.published,
        dead_lettered=delivered.dead_lettered,
        duplicates=result.duplicates,
        newest_event_time=result.newest_event_time,
        lease_expires_at=int(clock()) + services.checkpoints.lease_seconds,
        outside_range=len(page_records) - len(records),
    )
