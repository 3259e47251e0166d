"""Webhook Lambda behind API Gateway (`POST|GET /webhooks/{source}`): a Powertools REST resolver
that turns the proxy event into a WebhookRequest and returns what eventframework.webhooks decides."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.handlers._runtime import count, count_dead_letters, invocation, log_keys, logger, services
from eventframework.webhooks import (
    DeliveryStore,
    MalformedBodyError,
    WebhookIngestor,
    WebhookResponse,
    WebhookServices,
    request_from_proxy,
)

app = APIGatewayRestResolver()


@lru_cache(maxsize=1)
def ingestor() -> WebhookIngestor:
    shared = services()
    deliveries = DeliveryStore(shared.settings.state_table, shared.dynamodb)
    return WebhookIngestor(WebhookServices(deliveries, shared.deadletters, shared.publisher))


def _respond(outcome: WebhookResponse) -> Response[str]:
    return Response(outcome.status, "application/json", json.dumps(outcome.body, ensure_ascii=False))


@app.route("/webhooks/<source>", method=["POST", "GET"])
def webhook(source: str) -> Response[str]:
    try:
        request = request_from_proxy(app.current_event.raw_event, time.time)
    except MalformedBodyError as error:
        return _respond(WebhookResponse(error.status, {"message": error.reason, "source": source}))
    log_keys(source=request.source)
    outcome = ingestor().handle(request)
    for name in ("published", "dead_lettered", "duplicates"):
        count(f"Webhook{name.title().replace('_', '')}", int(outcome.body.get(name, 0)))
    count_dead_letters(request.source, int(outcome.body.get("dead_lettered", 0)))
    logger.info("webhook handled", extra={"status": outcome.status, "method": request.method})
    return _respond(outcome)


@invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    count("WebhookRequests", 1)
    return app.resolve(event, context)
