"""FetchPage Lambda: fetch a page, store it in S3, return a reference (eventframework.pipeline.fetching)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.handlers._runtime import bind, count, logger, metrics, services
from eventframework.pipeline import FetchRequest, fetch_step


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = FetchRequest.from_event(event)
    bind(request.source, request.execution)
    result = fetch_step(request, services().pages)
    if "page" in result:
        count("Pages", 1)
        count("EventsFetched", result["page"]["count"])
        logger.info("page stored", extra={"page_number": request.page_number, **result["page"]})
    else:
        count("RateLimited", 1)
        logger.warning("rate limited; the state machine waits", extra=result)
    return result
