"""ProcessPage Lambda: validate, normalise, publish and dead-letter one stored page
(see eventframework.pipeline.processing)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.handlers._runtime import bind, count, logger, metrics, services
from eventframework.pipeline import ProcessRequest, process_step


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ProcessRequest.from_event(event)
    bind(request.source, request.execution)
    outcome = process_step(request, services())
    count("EventsPublished", outcome.published)
    count("EventsDeadLettered", outcome.dead_lettered)
    count("DuplicatesDropped", outcome.duplicates)
    logger.info("page processed", extra={"page_key": request.page.key, **outcome.to_dict()})
    return outcome.to_dict()
