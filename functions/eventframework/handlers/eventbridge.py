"""EventBridge Lambda (rule on the default bus, e.g. GuardDuty findings): one event per invocation,
handed to eventframework.eventbridge; a raised error makes Lambda retry, then dead-letter, the event."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.eventbridge import EventBridgeIngestor, EventBridgeServices
from eventframework.handlers._runtime import count, count_dead_letters, invocation, log_keys, logger, services
from eventframework.webhooks import DeliveryStore
from eventframework.webhooks.push import PushOutlets


@lru_cache(maxsize=1)
def ingestor() -> EventBridgeIngestor:
    shared = services()
    deliveries = DeliveryStore(shared.settings.state_table, shared.dynamodb)
    return EventBridgeIngestor(
        EventBridgeServices(PushOutlets(deliveries, shared.deadletters, shared.publisher))
    )


@invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = ingestor().handle(event)
    log_keys(source=outcome.source)
    for name in ("published", "dead_lettered", "duplicates"):
        count(f"EventBridge{name.title().replace('_', '')}", int(outcome.counts.get(name, 0)))
    count_dead_letters(outcome.source, int(outcome.counts.get("dead_lettered", 0)))
    if outcome.status == "duplicate":  # a redelivery of a delivery already done: acknowledged only
        count("EventBridgeRedeliveries", 1)
    logger.info("eventbridge event handled", extra={"status": outcome.status, "delivery": outcome.delivery})
    return {
        "source": outcome.source,
        "delivery": outcome.delivery,
        "status": outcome.status,
        **outcome.counts,
    }
