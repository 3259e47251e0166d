"""The part of a push delivery every push channel shares (webhooks, EventBridge): claim the delivery,
run the source's process / publish / dead-letter path on its records, and mark it done.

A delivery is processed once: a redelivery of one already done is a duplicate, one being processed
right now is in progress (the sender retries), and a failure releases the claim so the sender's
retry is processed at once. Every record ends up published, dead-lettered with the reason (schema
or mapping failures, events the queue refused) or counted as a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from eventframework.definitions import SourceDefinition
from eventframework.definitions.identity import event_id_reader
from eventframework.process import process_records
from eventframework.process.pipeline import event_key_for
from eventframework.process.results import DeadLetterCandidate, ErrorKind, ProcessResult
from eventframework.publish import SqsPublisher
from eventframework.state import DeadLetterStore
from eventframework.state.errors import StateStoreError
from eventframework.webhooks.deliveries import Claim, DeliveryStore

Counts = dict[str, int]


@dataclass(frozen=True)
class PushOutlets:
    """Where pushed events go: the delivery claims, the dead-letter store and MozDef's queue."""

    deliveries: DeliveryStore
    deadletters: DeadLetterStore
    publisher: SqsPublisher


def deliver_once(
    deliveries: DeliveryStore, source: str, key: str, work: Callable[[], Counts]
) -> tuple[Claim, Counts]:
    """Run ``work`` if this call claims delivery ``key``; (claim, counts), counts empty unless NEW."""
    claim = deliveries.claim(source, key)
    if claim is not Claim.NEW:
        return claim, {}
    try:
        counts = work()
    except Exception:
        with suppress(StateStoreError):  # if not released, the claim expires after hold_seconds
            deliveries.release(source, key)
        raise
    deliveries.complete(source, key, counts)
    return claim, counts


def dead_letter(
    deadletters: DeadLetterStore, source: str, run_id: str, candidates: Sequence[DeadLetterCandidate]
) -> None:
    for candidate in candidates:
        deadletters.put(
            source,
            event_key=candidate.event_key,
            raw=candidate.raw,
            error_kind=candidate.error_kind,
            message=candidate.message,
            run_id=run_id,
        )


def publish_records(
    outlets: PushOutlets, definition: SourceDefinition, records: Sequence[Any], run_id: str
) -> Counts:
    """Validate, normalise and publish ``records``; dead-letter what fails. The delivery's counts."""
    result = process_records(definition, records, frozenset())
    published = outlets.publisher.publish(result.events, result.bodies)
    dead = list(result.dead) + _failed_publishes(definition, result, published.failed, records)
    dead_letter(outlets.deadletters, definition.id, run_id, dead)
    return {
        "received": len(records),
        "published": published.published,
        "dead_lettered": len(dead),
        "duplicates": result.duplicates,
    }


def _failed_publishes(
    definition: SourceDefinition, result: ProcessResult, failed: Sequence[Any], records: Sequence[Any]
) -> list[DeadLetterCandidate]:
    """Events the queue refused, as dead letters keyed by event id and holding the raw record."""
    getter = event_id_reader(definition)
    by_id = {str(value): record for record in records if (value := getter(record)) is not None}
    candidates = []
    for failure in failed:
        event_id = result.delivered[failure.index][0]
        raw = by_id.get(event_id, failure.event)
        message = f"{failure.code}: {failure.reason}"
        key = event_key_for(raw, event_id)
        candidates.append(DeadLetterCandidate(raw, key, ErrorKind.PUBLISH_FAILED.value, message))
    return candidates
