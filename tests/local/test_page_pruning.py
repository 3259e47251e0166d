"""SpentPagePruner: a local run drops an execution's processed pages, never the latest one (the page
processed beside the next fetch, or the page a failed execution stopped on)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from eventframework.local.engine import Engine, Execution
from eventframework.local.run.page_pruning import SpentPagePruner

FETCH_ARN = "arn:aws:lambda:us-east-1:123456789012:function:FetchPageFunction"
PROCESS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ProcessPageFunction"
NOW = datetime(2024, 5, 1, tzinfo=UTC)


class RecordingS3:
    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    def delete_object(self, *, Bucket: str, Key: str) -> None:  # noqa: N803 - boto3's spelling
        self.deleted.append((Bucket, Key))


def _fetch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("rate_limited"):
        return {"rate_limited": True, "wait_seconds": 1}
    return {"page": {"bucket": "pages", "key": f"{event['execution']}/{event['page_number']}"}}


def _process(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"published": 1}


def test_page_pruner_deletes_the_pages_before_the_one_processed_beside_the_next_fetch() -> None:
    s3 = RecordingS3()
    pruner = SpentPagePruner(s3)  # type: ignore[arg-type]
    lambdas = {FETCH_ARN: _fetch, PROCESS_ARN: _process}
    pruner.install(lambdas)
    assert lambdas[PROCESS_ARN] is _process
    fetch = lambdas[FETCH_ARN]
    fetch({"execution": "run-a", "page_number": 1}, None)
    fetch({"execution": "run-b", "page_number": 1}, None)
    fetch({"execution": "run-a", "rate_limited": True}, None)
    assert s3.deleted == [], "page 1 is processed beside the fetch of page 2"
    fetch({"execution": "run-a", "page_number": 2}, None)
    assert s3.deleted == [], "a rate-limited fetch stored nothing, so page 1 is still the latest"
    fetch({"execution": "run-a", "page_number": 3}, None)
    assert s3.deleted == [("pages", "run-a/1")], "page 2 is processed beside this fetch; page 1 is spent"
    fetch({"execution": "run-a", "page_number": 4}, None)
    assert s3.deleted == [("pages", "run-a/1"), ("pages", "run-a/2")]
    assert pruner.deleted == 2


def test_page_pruner_keeps_the_page_a_failed_fetch_did_not_replace() -> None:
    s3 = RecordingS3()
    pruner = SpentPagePruner(s3)  # type: ignore[arg-type]

    failures = [RuntimeError("source down")]

    def failing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["page_number"] == 3 and failures:
            raise failures.pop()
        return _fetch(event, context)

    fetch = pruner.wrap(failing)
    fetch({"execution": "run-a", "page_number": 1}, None)
    fetch({"execution": "run-a", "page_number": 2}, None)
    with pytest.raises(RuntimeError):
        fetch({"execution": "run-a", "page_number": 3}, None)
    assert s3.deleted == [("pages", "run-a/1")], "page 2 is processed beside the fetch of page 3"
    fetch({"execution": "run-a", "page_number": 3}, None)  # the retry
    assert s3.deleted == [("pages", "run-a/1")], "the failed attempt stored nothing, so page 2 stays"


def _finished(name: str, status: str) -> Execution:
    execution = Execution(f"arn:aws:states:us-east-1:123456789012:execution:Pull:{name}", name, "m", {}, NOW)
    execution.status = status
    return execution


def test_page_pruner_drops_the_last_page_of_an_execution_that_succeeded() -> None:
    s3 = RecordingS3()
    pruner = SpentPagePruner(s3)  # type: ignore[arg-type]
    engine = Engine()
    lambdas = {FETCH_ARN: _fetch}
    pruner.install(lambdas, engine)
    fetch = lambdas[FETCH_ARN]
    fetch({"execution": "capped", "page_number": 1}, None)
    fetch({"execution": "capped", "page_number": 2}, None)
    fetch({"execution": "broken", "page_number": 1}, None)
    for hook in engine.on_finished:
        hook(_finished("capped", "SUCCEEDED"))
        hook(_finished("broken", "FAILED"))
    assert s3.deleted == [("pages", "capped/1"), ("pages", "capped/2")]
    assert ("pages", "broken/1") not in s3.deleted, "a failed execution's page stays for its redrive"
