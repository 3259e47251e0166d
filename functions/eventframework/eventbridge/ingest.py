"""One EventBridge event, end to end: route it to the source whose `eventbridge:` section matches
its source and detail-type, claim the delivery (the joined values of the section's delivery_id
paths), then the shared push path (eventframework.webhooks.push): validate, normalise, publish,
dead-letter.

EventBridge invokes the function asynchronously and delivers at least once. An event that matches
no source raises :class:`EventBridgeRoutingError`; so does a delivery held by another invocation
and any store or queue outage: the invocation fails, Lambda retries it, and what still fails lands
in the function's dead-letter queue with the event intact. An invalid event is not a failure of
the invocation: it is dead-lettered with the reason and can be reprocessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources
from eventframework.definitions.paths import compile_path
from eventframework.errors import EventFrameworkError
from eventframework.process import event_key_for
from eventframework.process.results import DeadLetterCandidate, ErrorKind
from eventframework.publish.delivery import dead_letter
from eventframework.webhooks.deliveries import Claim, delivery_key
from eventframework.webhooks.push import Counts, PushOutlets, deliver_once, publish_records


class EventBridgeRoutingError(EventFrameworkError):
    """The event cannot be delivered now: no source matches it, or another invocation holds it.

    Raised so the invocation fails and Lambda's retries (then the dead-letter queue) keep the event.
    """

    def __init__(self, event_source: Any, detail_type: Any, reason: str) -> None:
        self.event_source = event_source
        self.detail_type = detail_type
        self.reason = reason
        super().__init__(
            f"EventBridge event (source {event_source!r}, detail-type {detail_type!r}): {reason}"
        )


@dataclass(frozen=True)
class EventBridgeServices:
    """What ingestion works with; tests pass moto-backed stores and their own definitions."""

    outlets: PushOutlets
    definitions: Callable[[], Sequence[SourceDefinition]] = field(default=list_sources)


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one event: ``status`` is accepted or duplicate; counts as in push.publish_records."""

    source: str
    delivery: str
    status: str
    counts: Mapping[str, int]


def delivery_id_of(definition: SourceDefinition, event: Any) -> str:
    """The delivery key of ``event``: its delivery_id values joined by ``:`` (a plain token when they
    are), or a SHA-256 of the event when any value is missing (an invalid event still gets one key)."""
    paths = definition.eventbridge.delivery_id if definition.eventbridge is not None else ()
    values = [compile_path(path)(event) for path in paths]
    if values and all(
        isinstance(value, str | int) and not isinstance(value, bool) and value != "" for value in values
    ):
        return delivery_key(":".join(str(value) for value in values), b"")
    return event_key_for(event, None)


def _deliver(
    outlets: PushOutlets, definition: SourceDefinition, event: Mapping[str, Any], run_id: str
) -> Counts:
    """Publish the event's records (the event itself, or its ``records`` list); an event without that
    list is dead-lettered whole, with the reason, rather than guessed at."""
    path = definition.eventbridge.records_path if definition.eventbridge is not None else "$"
    if path == "$":
        return publish_records(outlets, definition, [dict(event)], run_id)
    records = compile_path(path)(event)
    if isinstance(records, list):
        return publish_records(outlets, definition, records, run_id)
    message = f"$.{path}: no list of events in the EventBridge event"
    candidate = DeadLetterCandidate(
        dict(event), event_key_for(event, None), ErrorKind.UNPARSEABLE_RECORD.value, message
    )
    dead_letter(outlets.deadletters, definition.id, run_id, [candidate])
    return {"received": 1, "published": 0, "dead_lettered": 1, "duplicates": 0}


class EventBridgeIngestor:
    """Handle EventBridge events for every source with an `eventbridge:` section."""

    def __init__(self, services: EventBridgeServices) -> None:
        self.services = services

    def route(self, event: Mapping[str, Any]) -> SourceDefinition:
        """The definition whose event pattern (source, detail-type) the event matches."""
        event_source, detail_type = event.get("source"), event.get("detail-type")
        for definition in self.services.definitions():
            spec = definition.eventbridge
            if spec is not None and (spec.source, spec.detail_type) == (event_source, detail_type):
                if not definition.enabled:
                    raise EventBridgeRoutingError(
                        event_source, detail_type, f"source {definition.id} is disabled; enable it"
                    )
                return definition
        raise EventBridgeRoutingError(
            event_source,
            detail_type,
            "no source definition has this eventbridge source and detail_type; add one under sources/",
        )

    def handle(self, event: Mapping[str, Any]) -> IngestOutcome:
        definition = self.route(event)
        key = delivery_id_of(definition, event)
        outlets = self.services.outlets
        claim, counts = deliver_once(
            outlets.deliveries,
            definition.id,
            key,
            lambda: _deliver(outlets, definition, event, f"eventbridge:{key}"),
        )
        if claim is Claim.IN_PROGRESS:
            raise EventBridgeRoutingError(
                event.get("source"),
                event.get("detail-type"),
                f"delivery {key} is being processed by another invocation; retry later",
            )
        status = "duplicate" if claim is Claim.DUPLICATE else "accepted"
        return IngestOutcome(definition.id, key, status, counts)
