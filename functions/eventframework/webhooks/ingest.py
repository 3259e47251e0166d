"""One webhook request, end to end: source -> size -> authenticate -> parse -> handshake -> claim the
delivery -> the pull pipeline's process / publish / dead-letter path -> response.

Every refusal is a :class:`WebhookError` with its status; a store outage is a 503 the vendor retries.
An authentic request is never dropped unrecorded: its events are published, dead-lettered (schema or
mapping failures, an unparseable body, a body without the records path, failed publishes), or counted
as duplicates of a delivery already done.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventframework.definitions import DefinitionError, SourceDefinition, load_source
from eventframework.definitions.model import WebhookSpec
from eventframework.definitions.paths import compile_path
from eventframework.definitions.times import iso_from_epoch
from eventframework.fetch.credentials import load_credentials
from eventframework.fetch.errors import CredentialsError
from eventframework.fetch.jsondoc import loads_text
from eventframework.process.results import DeadLetterCandidate, ErrorKind
from eventframework.publish import SqsPublisher
from eventframework.publish.delivery import dead_letter
from eventframework.state import DeadLetterStore
from eventframework.state.errors import StateStoreError
from eventframework.webhooks.auth import verifier_for
from eventframework.webhooks.deliveries import Claim, DeliveryStore, delivery_key
from eventframework.webhooks.errors import (
    DeliveryInProgressError,
    MalformedBodyError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    UnknownSourceError,
    WebhookError,
    WebhookUnavailableError,
)
from eventframework.webhooks.handshake import answer_get, answer_post, require_get_handshake
from eventframework.webhooks.push import PushOutlets, deliver_once, publish_records
from eventframework.webhooks.request import WebhookRequest, WebhookResponse


@dataclass(frozen=True)
class WebhookServices:
    """What ingestion works with; tests pass in-memory or moto-backed ones."""

    deliveries: DeliveryStore
    deadletters: DeadLetterStore
    publisher: SqsPublisher
    load: Callable[[str], SourceDefinition] = load_source
    secrets: Callable[[str], Mapping[str, str]] = load_credentials
    clock: Callable[[], float] = field(default=time.time)


@dataclass(frozen=True)
class _Delivery:
    definition: SourceDefinition
    spec: WebhookSpec
    key: str
    run_id: str


def _definition(services: WebhookServices, source: str) -> tuple[SourceDefinition, WebhookSpec]:
    try:
        definition = services.load(source)
    except DefinitionError as error:
        if error.problems[0].problem == "no such source":
            raise UnknownSourceError(source, "no such source") from None
        raise WebhookUnavailableError(source, "the source's definition is invalid; see the logs") from error
    if definition.webhook is None:
        raise UnknownSourceError(source, "this source does not accept webhooks")
    return definition, definition.webhook


def _secrets(services: WebhookServices, source: str, spec: WebhookSpec) -> list[bytes]:
    try:
        values = services.secrets(source)
    except CredentialsError as error:
        raise WebhookUnavailableError(source, "the source's secret cannot be read; see the logs") from error
    secrets = [values.get(spec.auth.secret), values.get(spec.auth.previous_secret)]
    found = [value.encode("utf-8") for value in secrets if value]
    if not found:
        raise WebhookUnavailableError(source, f"the source's secret has no '{spec.auth.secret}' value")
    return found


def _parse(source: str, body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedBodyError(source, f"body is not UTF-8 (byte {error.start})") from None
    try:
        return loads_text(text)
    except json.JSONDecodeError as error:
        raise MalformedBodyError(
            source, f"body is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def _records(spec: WebhookSpec, document: Any) -> list[Any] | None:
    found = compile_path(spec.records_path)(document)
    if isinstance(found, list):
        return found
    return [found] if isinstance(found, dict) else None


def _envelope(request: WebhookRequest, spec: WebhookSpec, key: str, payload: Any) -> dict[str, Any]:
    """What the source's schema and mapping see: the event under ``payload``, the delivery around it."""
    event_type = request.header(spec.event_type_header) if spec.event_type_header else None
    return {
        "delivery_id": key,
        "event_type": event_type,
        "received_at": iso_from_epoch(request.received_at),
        "payload": payload,
    }


class WebhookIngestor:
    """Handle webhook requests for every source; one instance per Lambda container."""

    def __init__(self, services: WebhookServices) -> None:
        self.services = services

    def handle(self, request: WebhookRequest) -> WebhookResponse:
        try:
            return self._handle(request)
        except WebhookError as error:
            return WebhookResponse(error.status, {"message": error.reason, "source": error.source})
        except StateStoreError as error:
            message = f"a store is unavailable ({error}); retry later"
            return WebhookResponse(
                WebhookUnavailableError.status, {"message": message, "source": request.source}
            )

    def _handle(self, request: WebhookRequest) -> WebhookResponse:
        definition, spec = _definition(self.services, request.source)
        if request.method not in ("GET", "POST"):
            raise MethodNotAllowedError(request.source, f"{request.method} is not accepted; use POST")
        if len(request.body) > spec.max_body_bytes:
            raise PayloadTooLargeError(request.source, len(request.body), spec.max_body_bytes)
        if request.method == "GET":
            require_get_handshake(spec.handshake, request)
        secrets = _secrets(self.services, request.source, spec)
        verifier_for(spec.auth).verify(request, secrets, self.services.clock())
        if request.method == "GET":
            return answer_get(request)
        vendor_id = request.header(spec.delivery_id_header) if spec.delivery_id_header else None
        key = delivery_key(vendor_id, request.body)
        delivery = _Delivery(definition, spec, key, f"webhook:{key}")
        document = self._parse_or_dead_letter(request, delivery)
        handshake = answer_post(spec.handshake, request, document, secrets[0])
        if handshake is not None:
            return handshake
        return self._deliver(request, delivery, document)

    def _parse_or_dead_letter(self, request: WebhookRequest, delivery: _Delivery) -> Any:
        try:
            return _parse(request.source, request.body)
        except MalformedBodyError as error:
            raw = request.body.decode("utf-8", errors="replace")
            candidate = DeadLetterCandidate(
                raw, delivery.key, ErrorKind.UNPARSEABLE_RECORD.value, error.reason
            )
            self._dead_letter(request.source, delivery.run_id, [candidate])
            raise

    def _deliver(self, request: WebhookRequest, delivery: _Delivery, document: Any) -> WebhookResponse:
        claim, counts = deliver_once(
            self.services.deliveries,
            request.source,
            delivery.key,
            lambda: self._process(request, delivery, document),
        )
        if claim is Claim.DUPLICATE:
            return WebhookResponse(200, {"status": "duplicate", "delivery": delivery.key})
        if claim is Claim.IN_PROGRESS:
            raise DeliveryInProgressError(request.source, delivery.key)
        return WebhookResponse(202, {"status": "accepted", "delivery": delivery.key, **counts})

    def _process(self, request: WebhookRequest, delivery: _Delivery, document: Any) -> dict[str, int]:
        records = _records(delivery.spec, document)
        if records is None:
            message = f"$.{delivery.spec.records_path}: no event object or list of events in the body"
            kind = ErrorKind.UNPARSEABLE_RECORD.value
            self._dead_letter(
                request.source, delivery.run_id, [DeadLetterCandidate(document, delivery.key, kind, message)]
            )
            return {"received": 1, "published": 0, "dead_lettered": 1, "duplicates": 0}
        envelopes = [_envelope(request, delivery.spec, delivery.key, record) for record in records]
        return publish_records(self._outlets, delivery.definition, envelopes, delivery.run_id)

    @property
    def _outlets(self) -> PushOutlets:
        services = self.services
        return PushOutlets(services.deliveries, services.deadletters, services.publisher)

    def _dead_letter(self, source: str, run_id: str, candidates: Sequence[DeadLetterCandidate]) -> None:
        dead_letter(self.services.deadletters, source, run_id, candidates)
