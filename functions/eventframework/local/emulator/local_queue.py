"""The MozDef queue of a local run: what is sent to its URL is appended to a JSON-lines file.

In AWS the queue is durable and MozDef's worker consumes it. Locally the file is both: a
SendMessageBatch to the queue's URL returns success only once its bodies are in the file (in the
OS, so a killed process keeps them; `sync` fsyncs before the journal commits a step). The queue
answers through botocore's documented event hooks on the session every handler uses, so the real
publisher builds, sizes and sends its batches unchanged, and the queue holds it to SQS's rules:
1 to 10 entries with distinct, well-formed ids, at most 256 KiB in all, characters SQS accepts.
A broken batch is refused with the error code SQS gives, so a publishing bug fails here as in AWS.

Compared with moto's SQS over HTTP, this saves a request's round trip and moto's per-message work
(~2.3 CPU-seconds per 1,000 events, measured in benchmarks/); the file was what a local run
delivered to anyway.

SQS rules: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

MAX_ENTRIES = 10
MAX_BATCH_BYTES = 262_144
BATCH_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
# Characters SQS allows in a message: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000+.
INVALID_CHARACTER = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CONTEXT_KEY = "efw-local-queue"


class QueueRefusedError(Exception):
    """A request SQS would refuse as a whole; `code` is SQS's error code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _check_batch(entries: Sequence[Mapping[str, Any]]) -> None:
    if not entries:
        raise QueueRefusedError(
            "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry"
        )
    if len(entries) > MAX_ENTRIES:
        raise QueueRefusedError(
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}.",
        )
    ids = [str(entry.get("Id", "")) for entry in entries]
    if len(set(ids)) != len(ids):
        raise QueueRefusedError(
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Two or more batch entries share an Id"
        )
    for entry_id in ids:
        if not BATCH_ENTRY_ID.fullmatch(entry_id):
            raise QueueRefusedError(
                "AWS.SimpleQueueService.InvalidBatchEntryId", f"Invalid batch entry id {entry_id!r}"
            )
    for entry in entries:
        if INVALID_CHARACTER.search(str(entry["MessageBody"])):
            raise QueueRefusedError("InvalidMessageContents", "Invalid characters found in the message body")
    size = sum(len(str(entry["MessageBody"]).encode("utf-8")) for entry in entries)
    if size > MAX_BATCH_BYTES:
        raise QueueRefusedError(
            "AWS.SimpleQueueService.BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {size} bytes.",
        )


def _response(status: int) -> AWSResponse:
    return AWSResponse("local-queue", status, HTTPHeaders(), None)


class LocalQueue:
    """Answer SendMessage and SendMessageBatch for `queue_url` by appending bodies to `path`."""

    def __init__(self, queue_url: str, path: Path, events: Any) -> None:
        self.queue_url = queue_url
        self.path = path
        self.delivered = 0
        self._events = events
        self._lock = threading.Lock()
        self._out: Any = None
        self._unsynced = False
        self._hooks = [
            ("provide-client-params.sqs.SendMessageBatch", self._remember, "efw-local-queue-params-batch"),
            ("provide-client-params.sqs.SendMessage", self._remember, "efw-local-queue-params-one"),
            ("before-call.sqs.SendMessageBatch", self._send_batch, "efw-local-queue-batch"),
            ("before-call.sqs.SendMessage", self._send_one, "efw-local-queue-one"),
        ]

    def start(self) -> LocalQueue:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = self.path.open("ab")
        for event, handler, unique_id in self._hooks:
            self._events.register(event, handler, unique_id=unique_id)
        return self

    def stop(self) -> int:
        """Stop answering for the queue, fsync and close the file; return the events delivered."""
        if self._out is not None:
            for event, _handler, unique_id in self._hooks:
                self._events.unregister(event, unique_id=unique_id)
            self.sync()
            self._out.close()
            self._out = None
        return self.delivered

    def sync(self) -> int:
        """Flush and fsync what was delivered; return the file's length (the journal's commit)."""
        with self._lock:
            if self._out is None:
                return self.path.stat().st_size if self.path.exists() else 0
            if self._unsynced:
                self._out.flush()
                os.fsync(self._out.fileno())
                self._unsynced = False
            return int(self._out.tell())

    def _remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if params.get("QueueUrl") == self.queue_url:
            context[CONTEXT_KEY] = params

    def _send_batch(self, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        params = context.pop(CONTEXT_KEY, None)
        if params is None:
            return None  # another queue: moto answers
        entries = list(params.get("Entries") or [])
        try:
            _check_batch(entries)
        except QueueRefusedError as refusal:
            return _response(400), {"Error": {"Code": refusal.code, "Message": str(refusal)}}
        self._append([str(entry["MessageBody"]) for entry in entries])
        return _response(200), {"Successful": [_accepted(entry) for entry in entries], "Failed": []}

    def _send_one(self, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        params = context.pop(CONTEXT_KEY, None)
        if params is None:
            return None
        entry = {"Id": "one", "MessageBody": params.get("MessageBody", "")}
        try:
            _check_batch([entry])
        except QueueRefusedError as refusal:
            return _response(400), {"Error": {"Code": refusal.code, "Message": str(refusal)}}
        self._append([str(entry["MessageBody"])])
        accepted = _accepted(entry)
        return _response(200), {
            "MessageId": accepted["MessageId"],
            "MD5OfMessageBody": accepted["MD5OfMessageBody"],
        }

    def _append(self, bodies: list[str]) -> None:
        with self._lock:
            if self._out is None:
                raise RuntimeError("the local queue is stopped")
            self._out.write("".join(body + "\n" for body in bodies).encode("utf-8"))
            self._out.flush()  # in the OS before SQS's "success": a killed process keeps it
            self._unsynced = True
            self.delivered += len(bodies)


def _accepted(entry: Mapping[str, Any]) -> dict[str, str]:
    body = str(entry["MessageBody"]).encode("utf-8")
    return {
        "Id": str(entry["Id"]),
        "MessageId": str(uuid.uuid4()),
        "MD5OfMessageBody": hashlib.md5(body, usedforsecurity=False).hexdigest(),
    }
