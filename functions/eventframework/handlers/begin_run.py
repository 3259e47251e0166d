"""BeginRun Lambda: take the source's lease and read its checkpoint (see eventframework.pipeline.begin)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.handlers._runtime import bind, emit, invocation, logger, services, tracer
from eventframework.observability import begin_measurements
from eventframework.pipeline import BeginRequest, begin_run


@invocation
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = BeginRequest.from_event(event)
    bind(request.source, request.execution)
    result = begin_run(request, services().checkpoints)
    if "nothing_to_do" in result:  # a backfill with nothing left: neither a run nor a skipped one
        logger.info("nothing to backfill", extra={"reason": result["nothing_to_do"]})
        return result
    emit(begin_measurements(result["acquired"]))
    logger.info(
        "lease acquired" if result["acquired"] else "another run holds the lease; exiting",
        extra={
            "lease_owner": result["lease"]["owner"],
            "lease_expires_at": result["lease"]["expires_at"],
            "checkpoint_key": result["checkpoint_key"],
        },
    )
    return result
