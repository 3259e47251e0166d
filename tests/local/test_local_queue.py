"""The local MozDef queue: SQS's SendMessageBatch rules, enforced as SQS enforces them, into a file.

Rules from https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
(and the message character set of SendMessage). A batch SQS would refuse raises the ClientError
botocore raises for it, with SQS's error code, and writes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eventframework.local.emulator.local_queue import LocalQueue
from eventframework.publish import SqsPublisher

URL = "https://sqs.local/123456789012/mozdef"


def _queue(tmp_path: Path) -> LocalQueue:
    return LocalQueue(URL, tmp_path / "out" / "events.jsonl").start()


def _entries(count: int, size: int = 10) -> list[dict[str, Any]]:
    return [{"Id": str(n), "MessageBody": "x" * size} for n in range(count)]


def test_local_queue_appends_each_body_as_a_line_and_answers_like_sqs(tmp_path: Path) -> None:
    queue = _queue(tmp_path)
    response = queue.send_message_batch(QueueUrl=URL, Entries=[{"Id": "a", "MessageBody": '{"é": 1}'}])
    assert [entry["Id"] for entry in response["Successful"]] == ["a"] and response["Failed"] == []
    assert response["Successful"][0]["MD5OfMessageBody"] == hashlib.md5('{"é": 1}'.encode()).hexdigest()
    assert queue.sync() == len('{"é": 1}\n'.encode())
    assert queue.stop() == 1
    assert (tmp_path / "out" / "events.jsonl").read_text(encoding="utf-8") == '{"é": 1}\n'


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
        (_entries(11), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
        ([{"Id": "1", "MessageBody": "a"}, {"Id": "1", "MessageBody": "b"}], "BatchEntryIdsNotDistinct"),
        ([{"Id": "no spaces", "MessageBody": "a"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        (_entries(2, 131_073), "AWS.SimpleQueueService.BatchRequestTooLong"),
        ([{"Id": "1", "MessageBody": "bell \x07"}], "InvalidMessageContents"),
        ([{"Id": "1", "MessageBody": "lone \ud800"}], "InvalidMessageContents"),
        ([{"Id": "1", "MessageBody": "noncharacter \uffff"}], "InvalidMessageContents"),
    ],
)
def test_local_queue_refuses_what_sqs_refuses_and_writes_nothing(
    tmp_path: Path, entries: list[dict[str, Any]], code: str
) -> None:
    queue = _queue(tmp_path)
    with pytest.raises(ClientError) as refused:
        queue.send_message_batch(QueueUrl=URL, Entries=entries)
    assert refused.value.response["Error"]["Code"].endswith(code)
    assert queue.stop() == 0 and (tmp_path / "out" / "events.jsonl").read_text() == ""


def test_local_queue_accepts_exactly_the_limits(tmp_path: Path) -> None:
    queue = _queue(tmp_path)
    queue.send_message_batch(QueueUrl=URL, Entries=_entries(10, 26_214))  # 262,140 bytes: under 256 KiB
    queue.send_message_batch(QueueUrl=URL, Entries=[{"Id": "1", "MessageBody": "tab\tnewline\n\U0001f600"}])
    assert queue.stop() == 11


def test_local_queue_gives_each_message_its_own_uuid_shaped_id(tmp_path: Path) -> None:
    queue = _queue(tmp_path)
    ids = [
        entry["MessageId"]
        for entry in queue.send_message_batch(QueueUrl=URL, Entries=_entries(10))["Successful"]
    ]
    ids.append(queue.send_message(QueueUrl=URL, MessageBody="{}")["MessageId"])
    assert len(set(ids)) == 11
    assert all(str(uuid.UUID(message_id)) == message_id for message_id in ids)
    other = LocalQueue(URL, tmp_path / "other.jsonl").start()
    assert other.send_message(QueueUrl=URL, MessageBody="{}")["MessageId"] not in ids


def test_local_queue_answers_only_for_its_queue(tmp_path: Path) -> None:
    queue = _queue(tmp_path)
    with pytest.raises(ClientError, match="NonExistentQueue"):
        queue.send_message(QueueUrl=URL + "-other", MessageBody="{}")
    assert queue.send_message(QueueUrl=URL, MessageBody="{}")["MessageId"]


def test_local_queue_under_the_real_publisher_keeps_every_event_once(tmp_path: Path) -> None:
    """The production publisher's batching (10 entries, 256 KiB) never trips the queue's rules."""
    queue = _queue(tmp_path)
    events = [{"summary": "s" * size, "n": n} for n, size in enumerate([10, 100_000, 200_000, 5] * 8)]
    result = SqsPublisher(URL, queue).publish(events)  # type: ignore[arg-type]
    assert result.published == len(events) and not result.failed
    assert queue.stop() == len(events)
