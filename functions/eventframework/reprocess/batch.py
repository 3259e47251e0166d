"""ReprocessBatch: re-validate one bounded batch of dead letters and publish what now passes.

Per dead letter, in this order: re-run the current schema and mapping (a freshly compiled
`PageProcessor`); an event the pull's ledger already delivered is only removed; an event that now
passes is claimed (`ClaimStore`), published, and then, in one transaction, its claim is marked
published and its dead letter deleted, and only after that its oversized body in S3, if any (a
failure there leaves an orphan the bucket's lifecycle rule expires, never a letter without its
body); an event that still fails keeps its dead letter with the new
reason and one more attempt. A dry run only counts. A crash anywhere leaves the dead letter in place
(nothing lost); the claim keeps a re-run or a concurrent run from publishing it again (see
docs/operations.md for the one narrow window between SQS accepting a message and the confirmation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources, load_source
from eventframework.fetch.cursors import overlap_seconds
from eventframework.fetch.jsondoc import loads_text
from eventframework.pipeline.services import Services
from eventframework.process.page import PageProcessor
from eventframework.process.results import ErrorKind
from eventframework.reprocess.claims import ClaimOutcome, ClaimStore
from eventframework.reprocess.request import Position, ReprocessRequest, Totals
from eventframework.state import DeadLetter, PageNotFoundError

logger = logging.getLogger(__name__)


def raw_record(text: str) -> Any:
    """The record as the source sent it: dead letters keep JSON text, or the text of a non-JSON body."""
    try:
        return loads_text(text)
    except ValueError:
        return text


@dataclass
class _Batch:
    """What one batch decided, before anything is published."""

    to_publish: list[tuple[DeadLetter, dict[str, Any]]] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


class BatchRunner:
    """Reprocess one batch of one source with the stores of `services`."""

    def __init__(self, request: ReprocessRequest, services: Services, claims: ClaimStore) -> None:
        self.request = request
        self.services = services
        self.claims = claims
        self._processor: PageProcessor | None = None

    def run(self, definition: SourceDefinition, letters: Sequence[DeadLetter]) -> Totals:
        ledger = self.services.ledger(definition.id, window_seconds=overlap_seconds(definition))
        seen = ledger.seen()
        # Compiled afresh for every batch, not taken from the per-definition cache the pull uses:
        # the point of reprocessing is the *current* schema, which may have changed since the
        # definition was loaded (a fixed schema file, a warm container).
        self._processor = PageProcessor(definition)
        batch = _Batch()
        for letter in letters:
            batch.totals.examined += 1
            self._decide(definition, letter, seen, batch)
        if batch.to_publish:
            self._publish(definition.id, batch)
        return batch.totals

    def _decide(
        self, definition: SourceDefinition, letter: DeadLetter, seen: frozenset[str], batch: _Batch
    ) -> None:
        try:
            text = self.services.deadletters.load_raw(letter)
        except PageNotFoundError as missing:
            # Its raw body left S3 (deleted by hand, or by the lifecycle rule after a year untouched):
            # nothing to republish, so the letter stays as the record of what was lost, and the run
            # carries on with the rest instead of stopping at it every time.
            logger.warning(
                "dead letter %s of %s has no raw body any more (%s); kept, not reprocessed",
                letter.event_key,
                letter.source,
                f"s3://{missing.bucket}/{missing.key}",
            )
            batch.totals.still_failing += 1
            return
        assert self._processor is not None
        result = self._processor.process([raw_record(text)], seen)
        if result.dead:
            batch.totals.still_failing += 1
            if not self.request.dry_run:
                dead = result.dead[0]
                self._keep(letter, text, dead.error_kind, dead.message)
            return
        if self.request.dry_run:
            batch.totals.would_publish += 1 if result.events else 0
            batch.totals.already_published += 0 if result.events else 1
            return
        if not result.events:  # the ledger says a pull delivered it after it was dead-lettered
            batch.totals.already_published += 1
            self._remove(letter)
            return
        outcome = self.claims.claim(letter.source, letter.event_key, self.request.run_id)
        if outcome is ClaimOutcome.CLAIMED:
            batch.to_publish.append((letter, result.events[0]))
        elif outcome is ClaimOutcome.PUBLISHED:
            batch.totals.already_published += 1
            self._remove(letter)
        else:
            batch.totals.held_by_another_run += 1

    def _remove(self, letter: DeadLetter) -> None:
        """Delete a dead letter whose event is already on the queue: the item, then its S3 body."""
        self.services.deadletters.delete(letter.source, letter.event_key)
        self.services.deadletters.discard_raw(letter)

    def _keep(self, letter: DeadLetter, text: str, kind: str, message: str) -> None:
        """Update the dead letter in place: new reason, this run, one more attempt."""
        self.services.deadletters.put(
            letter.source,
            event_key=letter.event_key,
            raw=text,
            error_kind=kind,
            message=message,
            run_id=self.request.run_id,
            page_ref=letter.page_ref,
        )

    def _publish(self, source: str, batch: _Batch) -> None:
        published = self.services.publisher.publish([event for _, event in batch.to_publish])
        failed = {failure.index: failure for failure in published.failed}
        for index, (letter, _) in enumerate(batch.to_publish):
            failure = failed.get(index)
            if failure is None:
                self.claims.confirm(source, letter.event_key, self.request.run_id, self.services.deadletters)
                self.services.deadletters.discard_raw(letter)
                batch.totals.published += 1
                continue
            self.claims.release(source, letter.event_key, self.request.run_id)
            text = self.services.deadletters.load_raw(letter)
            self._keep(letter, text, ErrorKind.PUBLISH_FAILED, f"{failure.code}: {failure.reason}")
            batch.totals.still_failing += 1


def _add(totals: Totals, batch: Totals) -> Totals:
    merged = totals.to_dict()
    for key, value in batch.to_dict().items():
        merged[key] += value
    return Totals(**merged)


def _sources(request: ReprocessRequest) -> list[str]:
    if request.source:
        return [request.source]
    return [definition.id for definition in list_sources()]


def _next_position(sources: list[str], position: Position, after: str | None) -> Position | None:
    if after is not None:
        return Position(position.source, after)
    index = sources.index(position.source) + 1 if position.source in sources else len(sources)
    return Position(sources[index]) if index < len(sources) else None


def reprocess_batch(
    request: ReprocessRequest,
    services: Services,
    claims: ClaimStore,
    *,
    load: Callable[[str], SourceDefinition] = load_source,
) -> dict[str, Any]:
    """One batch; returns the position to continue from, whether to continue, and the new totals."""
    totals = request.totals or Totals()
    sources = _sources(request)
    position = request.position or (Position(sources[0]) if sources else None)
    remaining = request.max_events - totals.examined
    if position is None or remaining <= 0:
        return {"position": None, "has_more": False, "totals": totals.to_dict()}
    definition = load(position.source)
    limit = min(request.batch_size, remaining)
    letters, after = services.deadletters.page(definition.id, position.after, limit)
    batch = BatchRunner(request, services, claims).run(definition, letters)
    totals = _add(totals, batch)
    following = _next_position(sources, position, after)
    has_more = following is not None and totals.examined < request.max_events
    return {
        "position": following.to_dict() if following else None,
        "has_more": has_more,
        "totals": totals.to_dict(),
        "dry_run": request.dry_run,
    }
