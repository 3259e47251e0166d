"""ProcessPage Lambda: validate, normalise, publish and dead-letter one stored page
(see eventframework.pipeline.processing)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.handlers._runtime import bind, emit, invocation, logger, services, tracer
from eventframework.observability import process_measurements
from eventframework.pipeline import ProcessRequest, process_step


@invocation
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ProcessRequest.from_event(event)
    bind(request.source, request.execution)
    outcome = process_step(request, services()).to_dict()
    emit(process_measurements(outcome, time.time(), backfill=request.backfill is not None))
    logger.info("page processed", extra={"page_key": request.page.key, **outcome})
    return outcome
