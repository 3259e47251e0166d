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
from eventframework.process import process_records
from eventframework.publish import SqsPublisher
from eventframework.publish.delivery import deliver
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


def publish_records(
    outlets: PushOutlets, definition: SourceDefinition, records: Sequence[Any], run_id: str
) -> Counts:
    """Validate, normalise and publish ``records``; dead-letter what fails. The delivery's counts."""
    result = process_records(definition, records, frozenset())
    delivered = deliver(definition, records, result, outlets.publisher, outlets.deadletters, run_id=run_id)
    return {
        "received": len(records),
        "published": delivered.published,
        "dead_lettered": delivered.dead_lettered,
        "duplicates": result.duplicates,
    }
