"""FetchPage Lambda: fetch a page, store it in S3, return a reference (eventframework.pipeline.fetching)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from eventframework.definitions import SourceDefinition
from eventframework.fetch import FetchedPage, fetch_page
from eventframework.handlers._runtime import bind, emit, invocation, logger, services, timed, tracer
from eventframework.observability import fetch_measurements
from eventframework.pipeline import FetchRequest, fetch_step


@invocation
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = FetchRequest.from_event(event)
    bind(request.source, request.execution)
    latencies: list[float] = []

    def fetch(
        definition: SourceDefinition, secret: Mapping[str, str], cursor: str | None, until: datetime | None
    ) -> FetchedPage:
        return timed(lambda: fetch_page(definition, secret, cursor, until=until), latencies.append)

    result = fetch_step(request, services().pages, fetch=fetch, checkpoints=services().checkpoints)
    emit(fetch_measurements(result, latencies[-1] if latencies else None))
    if "page" in result:
        logger.info("page stored", extra={"page_number": request.page_number, **result["page"]})
    elif "skipped" in result:
        logger.info("no fetch: the page before ends or pauses the pull here", extra=result)
    else:
        logger.warning("rate limited; the state machine waits", extra=result)
    return result
