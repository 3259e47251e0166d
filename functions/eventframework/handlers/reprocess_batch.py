"""ReprocessBatch Lambda: reprocess one batch of dead letters (see eventframework.reprocess.batch)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.handlers._runtime import bind, count, invocation, logger, services
from eventframework.reprocess import ClaimStore, ReprocessRequest, reprocess_batch


@invocation
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ReprocessRequest.from_event(event)
    bind(request.source or "*", request.run_id)
    shared = services()
    claims = ClaimStore(shared.settings.state_table, shared.dynamodb)
    result = reprocess_batch(request, shared, claims)
    before = request.totals.to_dict() if request.totals else {}
    for key, value in result["totals"].items():
        count(f"Reprocess.{key}", value - before.get(key, 0))
    logger.info("reprocess batch done", extra={"position": result["position"], **result["totals"]})
    return result
