"""Deliver MozDef events to MozDef's SQS queue in batches, retrying only what failed.

SendMessageBatch takes at most 10 entries and 256 KB in total, so events are packed greedily under
both limits. A partial failure returns the failed entries; those the service failed (not the sender)
are sent again, a bounded number of times. Whatever still fails, and any single event larger than
SQS accepts, is returned with its reason so the caller dead-letters it (error kind publish_failed):
nothing is dropped, and nothing that succeeded is sent twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from eventframework.process.encoding import body_json

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 262_144  # SQS limit for one message and for a whole batch
DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class FailedPublish:
    """One event that could not be delivered; `index` is its position in the published sequence."""

    index: int
    event: Mapping[str, Any]
    code: str
    reason: str


@dataclass
class PublishResult:
    published: int = 0
    failed: list[FailedPublish] = field(default_factory=list)
    batches: int = 0

    @property
    def failed_indexes(self) -> frozenset[int]:
        return frozenset(failure.index for failure in self.failed)


class _Entry(NamedTuple):
    """One message to send: its position in the published sequence, body text and size in bytes."""

    position: int
    body: str
    size: int


def _encode(event: Mapping[str, Any], encoded: bytes | None = None) -> tuple[str, int]:
    """The message body (compact JSON, UTF-8 kept) and its size in bytes (see process.encoding).

    ``encoded``: the body's UTF-8 bytes when processing already produced them (``body_json``'s text).
    """
    if encoded is not None:
        return encoded.decode("utf-8"), len(encoded)
    body = body_json(event)
    return body, len(body) if body.isascii() else len(body.encode("utf-8"))


def batches_of(entries: Sequence[_Entry]) -> Iterator[list[_Entry]]:
    """Greedy packing under both the entry-count and the byte limit, order preserved."""
    batch: list[_Entry] = []
    size = 0
    for entry in entries:
        if batch and (len(batch) == MAX_BATCH_ENTRIES or size + entry.size > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry.size
    if batch:
        yield batch


class SqsPublisher:
    """Send MozDef events (plain JSON objects) to one queue."""

    def __init__(
        self,
        queue_url: str,
        client: SQSClient,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_seconds: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.queue_url = queue_url
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self._client = client
        self._sleep = sleep

    def publish(
        self, events: Sequence[Mapping[str, Any]], bodies: Sequence[bytes | None] | None = None
    ) -> PublishResult:
        """Send `events`; `bodies[i]`, when given and not None, is events[i] already encoded (UTF-8).

        `bodies` is used only when it pairs with `events` one to one (ProcessResult.bodies does).
        """
        result = PublishResult()
        entries: list[_Entry] = []
        encoded = bodies if bodies is not None and len(bodies) == len(events) else [None] * len(events)
        for index, (event, text) in enumerate(zip(events, encoded, strict=True)):
            body, size = _encode(event, text)
            if size > MAX_BATCH_BYTES:
                reason = f"message is {size} bytes; SQS accepts at most {MAX_BATCH_BYTES}"
                result.failed.append(FailedPublish(index, event, "MessageTooLong", reason))
                continue
            entries.append(_Entry(index, body, size))
        for batch in batches_of(entries):
            self._send_with_retries(batch, events, result)
        result.failed.sort(key=lambda failure: failure.index)
        return result

    def _send_with_retries(
        self, batch: list[_Entry], events: Sequence[Mapping[str, Any]], result: PublishResult
    ) -> None:
        pending = batch
        final: dict[int, tuple[str, str]] = {}
        for attempt in range(self.max_attempts):
            if attempt:
                self._sleep(self.backoff_seconds * 2 ** (attempt - 1))
            result.batches += 1
            sent, failures, retryable = self._send(pending)
            result.published += sent
            if final:  # this attempt decides the fate of every entry it sent
                for entry in pending:
                    final.pop(entry.position, None)
            final.update(failures)
            if not retryable:
                break
            pending = [entry for entry in pending if entry.position in retryable]
        for index, (code, reason) in sorted(final.items()):
            result.failed.append(FailedPublish(index, events[index], code, reason))

    def _send(self, batch: list[_Entry]) -> tuple[int, dict[int, tuple[str, str]], set[int]]:
        """One SendMessageBatch: (sent count, failures by index, indexes worth retrying)."""
        request: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(position), "MessageBody": entry.body} for position, entry in enumerate(batch)
        ]
        try:
            response = self._client.send_message_batch(QueueUrl=self.queue_url, Entries=request)
        except (ClientError, BotoCoreError) as error:
            code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
            failures = {entry.position: (str(code), f"SendMessageBatch failed: {error}") for entry in batch}
            return 0, failures, set(failures)
        failures = {}
        retryable: set[int] = set()
        for failed in response.get("Failed", []):
            entry = batch[int(failed["Id"])]
            failures[entry.position] = (failed["Code"], failed.get("Message", failed["Code"]))
            if not failed["SenderFault"]:
                retryable.add(entry.position)
        return len(response.get("Successful", [])), failures, retryable
