"""Deliver processed records: publish the events to MozDef's queue, then dead-letter the rest with
their reasons, what failed validation or mapping and what the queue refused.

One path for a pulled page (ProcessPage) and a pushed delivery (webhooks, EventBridge), so a rule
about delivery (how a refused event is keyed, what raw record its dead letter keeps) is written once.
Order matters: publish first, dead-letter after, so a dead letter never stands for an event that is
on the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventframework.definitions import SourceDefinition
from eventframework.definitions.identity import event_id_reader
from eventframework.process.page import event_key_for
from eventframework.process.results import DeadLetterCandidate, ErrorKind, ProcessResult
from eventframework.publish.sqs import FailedPublish, SqsPublisher
from eventframework.state import DeadLetterStore, PageRef


@dataclass(frozen=True)
class Delivered:
    """What became of processed records: how many published, how many dead-lettered, and which of
    `result.delivered` the queue refused (they are not delivered: the ledger must not record them)."""

    published: int
    dead_lettered: int
    refused: frozenset[int]


def deliver(
    definition: SourceDefinition,
    records: Sequence[Any],
    result: ProcessResult,
    publisher: SqsPublisher,
    deadletters: DeadLetterStore,
    *,
    run_id: str,
    page_ref: PageRef | None = None,
) -> Delivered:
    """Publish `result`'s events; dead-letter its failures and the events the queue refused."""
    published = publisher.publish(result.events, result.bodies)
    dead = [*result.dead, *_refused(definition, result, published.failed, records)]
    dead_letter(deadletters, definition.id, run_id, dead, page_ref=page_ref)
    return Delivered(published.published, len(dead), published.failed_indexes)


def dead_letter(
    deadletters: DeadLetterStore,
    source: str,
    run_id: str,
    candidates: Iterable[DeadLetterCandidate],
    *,
    page_ref: PageRef | None = None,
) -> None:
    for candidate in candidates:
        deadletters.put(
            source,
            event_key=candidate.event_key,
            raw=candidate.raw,
            error_kind=candidate.error_kind,
            message=candidate.message,
            run_id=run_id,
            page_ref=page_ref,
        )


def _refused(
    definition: SourceDefinition,
    result: ProcessResult,
    failed: Sequence[FailedPublish],
    records: Sequence[Any],
) -> list[DeadLetterCandidate]:
    """Events the queue refused, as dead letters keyed by event id and holding the raw record."""
    if not failed:
        return []
    getter = event_id_reader(definition)
    by_id = {str(value): record for record in records if (value := getter(record)) is not None}
    candidates = []
    for failure in failed:
        event_id = result.delivered[failure.index][0]
        raw = by_id.get(event_id, failure.event)
        message = f"{failure.code}: {failure.reason}"
        candidates.append(
            DeadLetterCandidate(raw, event_key_for(raw, event_id), ErrorKind.PUBLISH_FAILED.value, message)
        )
    return candidates
