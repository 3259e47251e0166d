from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from eventframework.publish import MAX_BATCH_BYTES, SqsPublisher
from eventframework.publish.sqs import _Entry, batches_of
from tests.support.aws import AwsResources


def _event(n: int, padding: int = 0) -> dict[str, Any]:
    return {"summary": f"event {n}", "details": {"source_event_id": f"id-{n}", "pad": "p" * padding}}


def _fail_entries(aws: AwsResources, plan: list[set[int]], sender_fault: bool = False) -> list[int]:
    """Make the next SendMessageBatch calls fail the entries whose event numbers are in `plan[i]`."""
    calls: list[int] = []
    requests: list[dict[str, Any]] = []

    def remember(params: dict[str, Any], **_: Any) -> None:
        requests.append(params)

    def before_call(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        params = requests.pop()
        call = len(calls)
        calls.append(len(params["Entries"]))
        doomed = plan[call] if call < len(plan) else set()
        failed, kept = [], []
        for entry in params["Entries"]:
            number = int(json.loads(entry["MessageBody"])["summary"].split()[1])
            (failed if number in doomed else kept).append(entry)
        if not failed:
            return None
        if kept:
            events.unregister("before-call.sqs.SendMessageBatch", before_call)
            events.unregister("before-parameter-build.sqs.SendMessageBatch", remember)
            aws.sqs.send_message_batch(QueueUrl=params["QueueUrl"], Entries=kept)
            events.register("before-parameter-build.sqs.SendMessageBatch", remember)
            events.register("before-call.sqs.SendMessageBatch", before_call)
        parsed = {
            "Successful": [{"Id": e["Id"], "MessageId": "m", "MD5OfMessageBody": "x"} for e in kept],
            "Failed": [
                {"Id": e["Id"], "SenderFault": sender_fault, "Code": "InternalError", "Message": "boom"}
                for e in failed
            ],
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }
        return AWSResponse(params["QueueUrl"], 200, {}, None), parsed

    events = aws.sqs.meta.events
    events.register("before-parameter-build.sqs.SendMessageBatch", remember)
    events.register("before-call.sqs.SendMessageBatch", before_call)
    return calls


def test_sqs_publisher_sends_every_event_in_batches_of_ten(aws: AwsResources) -> None:
    result = SqsPublisher(aws.queue_url, aws.sqs).publish([_event(n) for n in range(25)])
    assert (result.published, result.failed, result.batches) == (25, [], 3)
    bodies = sorted(json.loads(body)["summary"] for body in aws.queue_bodies())
    assert bodies == sorted(f"event {n}" for n in range(25))


def test_sqs_publisher_splits_batches_by_size() -> None:
    entries = [_Entry(n, "x", 100_000) for n in range(5)]
    assert [[e.position for e in batch] for batch in batches_of(entries)] == [[0, 1], [2, 3], [4]]


def test_sqs_publisher_large_events_stay_under_batch_limit(aws: AwsResources) -> None:
    events = [_event(n, padding=90_000) for n in range(6)]
    result = SqsPublisher(aws.queue_url, aws.sqs).publish(events)
    assert result.published == 6 and result.batches == 3
    assert len(aws.queue_bodies()) == 6


def test_sqs_publisher_oversized_event_returned_with_reason(aws: AwsResources) -> None:
    events = [_event(0), _event(1, padding=MAX_BATCH_BYTES), _event(2)]
    result = SqsPublisher(aws.queue_url, aws.sqs).publish(events)
    assert result.published == 2
    [failure] = result.failed
    assert (failure.index, failure.code) == (1, "MessageTooLong")
    assert "262144" in failure.reason


def test_sqs_publisher_retries_only_failed_entries(aws: AwsResources) -> None:
    calls = _fail_entries(aws, [{3, 7}])
    delays: list[float] = []
    result = SqsPublisher(aws.queue_url, aws.sqs, sleep=delays.append).publish([_event(n) for n in range(10)])
    assert result.published == 10 and result.failed == []
    assert calls == [10, 2]
    assert delays == [0.2]
    assert len(aws.queue_bodies()) == 10  # nothing sent twice


def test_sqs_publisher_gives_up_after_bounded_attempts(aws: AwsResources) -> None:
    calls = _fail_entries(aws, [{4}, {4}, {4}, {4}])
    result = SqsPublisher(aws.queue_url, aws.sqs, max_attempts=3, sleep=lambda _: None).publish(
        [_event(n) for n in range(6)]
    )
    assert calls == [6, 1, 1]
    assert result.published == 5
    [failure] = result.failed
    assert (failure.index, failure.code, failure.reason) == (4, "InternalError", "boom")
    assert failure.event["details"]["source_event_id"] == "id-4"


def test_sqs_publisher_does_not_retry_sender_faults(aws: AwsResources) -> None:
    calls = _fail_entries(aws, [{1}], sender_fault=True)
    result = SqsPublisher(aws.queue_url, aws.sqs, sleep=lambda _: None).publish([_event(n) for n in range(3)])
    assert calls == [3]
    assert [failure.index for failure in result.failed] == [1]


def test_sqs_publisher_whole_call_failure_becomes_failed_entries(aws: AwsResources) -> None:
    publisher = SqsPublisher(aws.queue_url + "-missing", aws.sqs, max_attempts=2, sleep=lambda _: None)
    result = publisher.publish([_event(0), _event(1)])
    assert result.published == 0
    assert [failure.index for failure in result.failed] == [0, 1]
    assert "SendMessageBatch failed" in result.failed[0].reason


def test_sqs_publisher_sends_pre_encoded_bodies_without_encoding_again(
    aws: AwsResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventframework.publish import sqs

    events = [_event(n) for n in range(3)]
    bodies: list[bytes | None] = [json.dumps(event, ensure_ascii=False).encode() for event in events]
    bodies[1] = None  # not pre-encoded: the publisher encodes it
    encoded: list[Any] = []
    monkeypatch.setattr(sqs, "body_json", lambda event: encoded.append(event) or json.dumps(event))
    result = SqsPublisher(aws.queue_url, aws.sqs).publish(events, bodies)
    assert (result.published, result.failed) == (3, [])
    assert encoded == [events[1]]
    assert sorted(json.loads(body)["summary"] for body in aws.queue_bodies()) == [
        f"event {n}" for n in range(3)
    ]


def test_sqs_publisher_measures_pre_encoded_bodies_in_utf8_bytes(aws: AwsResources) -> None:
    event = _event(0)
    body = json.dumps({**event, "pad": "é" * 140_000}, ensure_ascii=False).encode()  # > 256 KB in UTF-8
    result = SqsPublisher(aws.queue_url, aws.sqs).publish([event], [body])
    assert [failure.code for failure in result.failed] == ["MessageTooLong"]
