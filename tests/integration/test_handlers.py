"""The three pull Lambdas end to end: moto in-process for AWS, the sandbox API on loopback for the
source, the real definitions, fetch and process code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from eventframework.fetch.errors import SourceRateLimitedError
from eventframework.handlers import _runtime, begin_run, fetch_page, process_page
from eventframework.local.sandbox import Fault, Sandbox
from eventframework.pipeline.errors import RunRequestError
from eventframework.state import DeadLetterStore, Ledger
from tests.support.asl_writes import release_lease, save_checkpoint
from tests.support.aws import AwsResources

SOURCE = "okta-system-log"


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "req-1"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


CONTEXT: Any = FakeLambdaContext()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox(events={SOURCE: 250}, seed=3, token="sandbox-token") as running:
        secret = json.dumps({"base_url": running.base_url, "token": "sandbox-token"})
        monkeypatch.setenv("EFW_SECRET_OKTA_SYSTEM_LOG", secret)
        yield running


def _begin(execution: str, **extra: Any) -> dict[str, Any]:
    event = {"input": {"source": SOURCE, **extra}, "execution": execution}
    result: dict[str, Any] = begin_run.lambda_handler(event, CONTEXT)
    return result


def _fetch(cursor: str | None, page_number: int = 1, lease_owner: str | None = None) -> dict[str, Any]:
    event = {"source": SOURCE, "execution": "exec-1", "cursor": cursor, "page_number": page_number}
    if lease_owner is not None:
        event["lease_owner"] = lease_owner
    result: dict[str, Any] = fetch_page.lambda_handler(event, CONTEXT)
    return result


def _process(page: dict[str, Any]) -> dict[str, Any]:
    event = {"source": SOURCE, "execution": "exec-1", "run_id": "arn:exec-1", "page": page}
    result: dict[str, Any] = process_page.lambda_handler(event, CONTEXT)
    return result


def test_begin_run_handler_second_run_exits_cleanly(pipeline: AwsResources) -> None:
    first = _begin("exec-1")
    # A first run starts at its window's start, fixed once on the checkpoint (backfills end there).
    since = json.loads(first["cursor"])["since"]
    assert first["acquired"] is True and since
    assert first["lease"]["owner"] == "exec-1" and first["max_pages"] == 50
    assert first["checkpoint_key"] == "checkpoint" and first["backfill"] is None
    second = _begin("exec-2")
    assert second["acquired"] is False
    assert second["lease"]["owner"] == "exec-1"
    retried = _begin("exec-1")  # a retried first run asks for the same window
    assert json.loads(retried["cursor"])["since"] == since


def test_begin_run_handler_continuation_takes_over_lease(pipeline: AwsResources) -> None:
    _begin("exec-1")
    assert _begin("exec-1-next", lease={"owner": "exec-1", "expires_at": 0})["acquired"] is True


def test_fetch_page_handler_stores_page_and_returns_reference(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    result = _fetch(None, page_number=1)
    page = result["page"]
    assert page["bucket"] == pipeline.page_bucket and page["key"] == f"pages/{SOURCE}/exec-1/1.json"
    assert page["count"] > 0 and page["request_cursor"] is None
    assert page["next_cursor"] and isinstance(page["has_more"], bool)
    assert isinstance(page["wait_seconds"], int)
    stored = pipeline.s3.get_object(Bucket=page["bucket"], Key=page["key"])["Body"].read()
    assert len(json.loads(stored)) == page["count"]


def _after(has_more: bool, *, wait_seconds: int = 0, pages: int = 1, max_pages: int = 50) -> dict[str, Any]:
    return {"has_more": has_more, "wait_seconds": wait_seconds, "pages": pages, "max_pages": max_pages}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (_after(False), {"skipped": "caught_up"}),
        (_after(True, pages=50, max_pages=50), {"skipped": "page_cap"}),
        (_after(True, wait_seconds=7), {"skipped": "pacing", "wait_seconds": 7}),
        (_after(False, wait_seconds=7, pages=50), {"skipped": "caught_up"}),
        (_after(True, wait_seconds=7, pages=50), {"skipped": "page_cap"}),
    ],
)
def test_fetch_page_handler_beside_the_page_before_holds_back_without_calling_the_source(
    pipeline: AwsResources, sandbox: Sandbox, after: dict[str, Any], expected: dict[str, Any]
) -> None:
    """The fetch beside a page's processing is told what that page said, and decides in the order
    the page cap and pacing always had: caught up, then the cap, then a pacing wait."""
    event = {"source": SOURCE, "execution": "exec-1", "cursor": "c", "page_number": 2, "after": after}
    assert fetch_page.lambda_handler(event, CONTEXT) == expected
    assert sandbox.requests(SOURCE) == []


def test_fetch_page_handler_beside_a_page_with_more_fetches_the_next(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    first = _fetch(None)["page"]
    event = {
        "source": SOURCE,
        "execution": "exec-1",
        "cursor": first["next_cursor"],
        "page_number": 2,
        "after": _after(True, pages=1),
    }
    second = fetch_page.lambda_handler(event, CONTEXT)["page"]
    assert (
        second["key"] == f"pages/{SOURCE}/exec-1/2.json" and second["request_cursor"] == first["next_cursor"]
    )


@pytest.mark.parametrize(
    ("after", "named"),
    [
        ({"has_more": "yes"}, "after.has_more' must be true or false"),
        ({**_after(True), "wait_seconds": "soon"}, "after.wait_seconds' must be an integer"),
    ],
)
def test_fetch_page_handler_refuses_a_malformed_page_before(
    pipeline: AwsResources, after: dict[str, Any], named: str
) -> None:
    event = {"source": SOURCE, "execution": "e", "cursor": None, "page_number": 2, "after": after}
    with pytest.raises(RunRequestError, match=re.escape(named)):
        fetch_page.lambda_handler(event, CONTEXT)


def test_fetch_page_handler_known_wait_becomes_rate_limited_result(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    sandbox.inject(SOURCE, Fault.http_status(429, times=1, retry_after=7))
    assert _fetch(None) == {"rate_limited": True, "wait_seconds": 7}


def _lease_expiry(pipeline: AwsResources) -> int:
    item = pipeline.dynamodb.get_item(
        TableName=pipeline.state_table, Key={"source": {"S": SOURCE}, "sk": {"S": "checkpoint"}}
    )["Item"]
    return int(item["lease_expires_at"]["N"])


def _expire_lease_soon(pipeline: AwsResources) -> None:
    pipeline.dynamodb.update_item(
        TableName=pipeline.state_table,
        Key={"source": {"S": SOURCE}, "sk": {"S": "checkpoint"}},
        UpdateExpression="SET lease_expires_at = :soon",
        ExpressionAttributeValues={":soon": {"N": "1"}},
    )


def test_fetch_page_handler_rate_limit_extends_the_runs_lease(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    # No checkpoint is saved while a run waits out 429s: the wait itself must keep the lease.
    _begin("exec-1")
    _expire_lease_soon(pipeline)
    sandbox.inject(SOURCE, Fault.http_status(429, times=1, retry_after=300))
    assert _fetch(None, lease_owner="exec-1")["rate_limited"] is True
    assert _lease_expiry(pipeline) > 1
    _expire_lease_soon(pipeline)
    sandbox.inject(SOURCE, Fault.http_status(429, times=1))  # no usable wait: raised, and still extended
    with pytest.raises(SourceRateLimitedError):
        _fetch(None, lease_owner="exec-1")
    assert _lease_expiry(pipeline) > 1


def test_fetch_page_handler_unknown_wait_raises_named_error(pipeline: AwsResources, sandbox: Sandbox) -> None:
    sandbox.inject(SOURCE, Fault.http_status(429, times=1))
    with pytest.raises(SourceRateLimitedError):
        _fetch(None)


def test_process_page_handler_publishes_then_ledger_drops_refetched_page(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    page = _fetch(None)["page"]
    first = _process(page)
    assert first["fetched"] == page["count"] == first["published"]
    assert (first["dead_lettered"], first["duplicates"]) == (0, 0)
    assert first["lease_expires_at"] > 0 and first["newest_event_time"]
    bodies = [json.loads(body) for body in pipeline.queue_bodies()]
    assert len(bodies) == page["count"]
    assert {body["details"]["source_event_id"] for body in bodies} <= Ledger(
        pipeline.state_table, pipeline.dynamodb, SOURCE
    ).seen()
    again = _process(page)  # a redriven or retried ProcessPage sees the same page
    assert (again["published"], again["duplicates"]) == (0, page["count"])
    assert pipeline.queue_bodies() == []


def _put_page(aws: AwsResources, records: list[dict[str, Any]]) -> dict[str, Any]:
    key = f"pages/{SOURCE}/exec-1/9.json"
    aws.s3.put_object(Bucket=aws.page_bucket, Key=key, Body=json.dumps(records).encode())
    return {"bucket": aws.page_bucket, "key": key}


def test_process_page_handler_dead_letters_invalid_events(pipeline: AwsResources, sandbox: Sandbox) -> None:
    good = sandbox.events(SOURCE)[0]
    bad = {**sandbox.events(SOURCE)[1], "published": 12345}
    result = _process(_put_page(pipeline, [good, bad]))
    assert (result["published"], result["dead_lettered"]) == (1, 1)
    [letter] = DeadLetterStore(pipeline.deadletter_table, pipeline.dynamodb).list(SOURCE)
    assert letter.error_kind in {"schema_invalid", "mapping_failed"}
    assert letter.run_id == "arn:exec-1" and letter.page_ref is not None
    assert letter.raw is not None and json.loads(letter.raw)["uuid"] == bad["uuid"]


def test_process_page_handler_dead_letters_publish_failures_and_skips_their_ledger(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    records = sandbox.events(SOURCE)[:3]
    sqs = _runtime.services().publisher._client

    def reject_all(**_: Any) -> None:
        raise _runtime.services().publisher._client.exceptions.QueueDoesNotExist(
            {"Error": {"Code": "QueueDoesNotExist", "Message": "gone"}}, "SendMessageBatch"
        )

    sqs.meta.events.register("before-call.sqs.SendMessageBatch", reject_all)
    result = _process(_put_page(pipeline, records))
    assert (result["published"], result["dead_lettered"]) == (0, 3)
    letters = DeadLetterStore(pipeline.deadletter_table, pipeline.dynamodb).list(SOURCE)
    kinds = {letter.event_key: letter for letter in letters}
    assert set(kinds) == {record["uuid"] for record in records}
    letter = kinds[records[0]["uuid"]]
    assert letter.error_kind == "publish_failed" and "QueueDoesNotExist" in letter.message
    assert json.loads(letter.raw or "{}") == records[0]  # the original raw event, reprocessable
    assert Ledger(pipeline.state_table, pipeline.dynamodb, SOURCE).seen() == frozenset()


def test_handlers_pull_every_event_exactly_once_across_pages(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    """The state machine's loop, by hand: begin, then fetch/process/save until no more pages."""
    begun = _begin("exec-1")
    cursor, number, published = begun["cursor"], 0, 0
    while True:
        number += 1
        page = _fetch(cursor, page_number=number)["page"]
        published += _process(page)["published"]
        save_checkpoint(
            pipeline.dynamodb,
            pipeline.state_table,
            SOURCE,
            page["next_cursor"],
            owner="exec-1",
            run_id="arn:exec-1",
            expires_at=begun["lease"]["expires_at"],
        )
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    release_lease(pipeline.dynamodb, pipeline.state_table, SOURCE, owner="exec-1")
    delivered = [json.loads(body)["details"]["source_event_id"] for body in pipeline.queue_bodies()]
    assert sorted(delivered) == sorted(event["uuid"] for event in sandbox.events(SOURCE))
    assert published == len(delivered) == 250
