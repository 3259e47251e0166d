"""The MozDef queue of a local run: what is sent to it is appended to a JSON-lines file.

In AWS the queue is durable and MozDef's worker consumes it. Locally the file is both. LocalQueue is
the SQS client the handlers' publisher gets in a local run (through the handlers' client seam,
`handlers._runtime.use_clients`): the real publisher builds, sizes, sends and retries its batches
unchanged, and the queue holds each SendMessageBatch to SQS's rules (1 to 10 entries with distinct,
well-formed ids, at most 256 KiB in all, only characters SQS accepts), refusing a broken one with
the ClientError SQS raises, so a publishing bug fails here as in AWS. A batch is in the file (in the
OS: a killed process keeps it) before success is returned; `sync` fsyncs it before the journal
commits the step.

Compared with moto's SQS over HTTP this saves, per batch, botocore's serialisation, a loopback
round trip and moto's per-message work (benchmarks/README.md, "Local runs").

SQS rules: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from eventframework.local.emulator.durable import sync_file

# SQS's limits, stated here again on purpose rather than imported from the publisher: the queue
# stands in for SQS, so a publisher whose own constants drifted must be refused, not followed.
MAX_ENTRIES = 10
MAX_BATCH_BYTES = 262_144
BATCH_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
# SQS allows #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. In UTF-8, what
# is left out is the other C0 controls and U+FFFE/U+FFFF (surrogates do not encode at all). Checked
# with bytes.translate and substring tests: a regex alternation took ~40 µs per 2.6 KB message.
C0_CONTROLS = bytes(code for code in range(0x20) if code not in (0x09, 0x0A, 0x0D))
NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def _refused(code: str, message: str) -> ClientError:
    """The error botocore raises for a request SQS refuses as a whole."""
    return ClientError({"Error": {"Code": code, "Message": message}}, "SendMessageBatch")


def _check_batch(entries: Sequence[Mapping[str, Any]]) -> list[bytes]:
    """The bodies in UTF-8, once the batch is one SQS accepts (else the ClientError SQS gives)."""
    if not entries:
        raise _refused("AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry")
    if len(entries) > MAX_ENTRIES:
        raise _refused(
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}.",
        )
    ids = [str(entry.get("Id", "")) for entry in entries]
    if len(set(ids)) != len(ids):
        raise _refused(
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Two or more batch entries share an Id"
        )
    for entry_id in ids:
        if not BATCH_ENTRY_ID.fullmatch(entry_id):
            raise _refused(
                "AWS.SimpleQueueService.InvalidBatchEntryId", f"Invalid batch entry id {entry_id!r}"
            )
    bodies = [_utf8(entry["MessageBody"]) for entry in entries]
    size = sum(len(body) for body in bodies)
    if size > MAX_BATCH_BYTES:
        raise _refused(
            "AWS.SimpleQueueService.BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {size} bytes.",
        )
    return bodies


def _utf8(body: Any) -> bytes:
    try:
        encoded = str(body).encode("utf-8")
    except UnicodeEncodeError:
        encoded = b"\x00"  # a lone surrogate: refused like any character SQS does not accept
    has_control = len(encoded.translate(None, C0_CONTROLS)) != len(encoded)
    # The noncharacters are not ASCII, and bytes.isascii is a word-at-a-time scan: an ASCII body
    # (most are: the publisher's JSON escapes nothing it need not) skips the two substring searches.
    has_noncharacter = not encoded.isascii() and any(code in encoded for code in NONCHARACTERS)
    if has_control or has_noncharacter:
        raise _refused("InvalidMessageContents", "Invalid characters found in the message body")
    return encoded


class LocalQueue:
    """An SQS client for one queue URL whose SendMessage and SendMessageBatch append to `path`."""

    def __init__(self, queue_url: str, path: Path) -> None:
        self.queue_url = queue_url
        self.path = path
        self.delivered = 0
        self._lock = threading.Lock()
        self._out: Any = None
        self._unsynced = False
        # SQS gives each message a UUID. One random UUID per queue whose last 12 hex digits count on
        # from a random start: unique, UUID-shaped, and without uuid4's os.urandom call per message.
        first = uuid.uuid4().hex
        self._id_prefix = f"{first[:8]}-{first[8:12]}-{first[12:16]}-{first[16:20]}-"
        self._id_numbers = itertools.count(int(first[20:], 16))

    def start(self) -> LocalQueue:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = self.path.open("ab")
        return self

    def stop(self) -> int:
        """Fsync and close the file; return the events delivered."""
        if self._out is not None:
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
                sync_file(self._out)
                self._unsynced = False
            return int(self._out.tell())

    def send_message_batch(self, *, QueueUrl: str, Entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self._require(QueueUrl)
        bodies = _check_batch(Entries)
        self._append(bodies)
        accepted = [self._accepted(entry["Id"], body) for entry, body in zip(Entries, bodies, strict=True)]
        return {"Successful": accepted, "Failed": []}

    def send_message(self, *, QueueUrl: str, MessageBody: str) -> dict[str, Any]:  # noqa: N803
        self._require(QueueUrl)
        bodies = _check_batch([{"Id": "message", "MessageBody": MessageBody}])
        self._append(bodies)
        accepted = self._accepted("message", bodies[0])
        return {"MessageId": accepted["MessageId"], "MD5OfMessageBody": accepted["MD5OfMessageBody"]}

    def _require(self, queue_url: str) -> None:
        if queue_url != self.queue_url:
            raise _refused(
                "AWS.SimpleQueueService.NonExistentQueue",
                f"a local run emulates only the MozDef queue {self.queue_url}, not {queue_url}",
            )

    def _append(self, bodies: list[bytes]) -> None:
        with self._lock:
            if self._out is None:
                raise RuntimeError("the local queue is stopped")
            self._out.write(b"\n".join(bodies) + b"\n")
            self._out.flush()  # in the OS before SQS's "success": a killed process keeps it
            self._unsynced = True
            self.delivered += len(bodies)

    def _accepted(self, entry_id: Any, body: bytes) -> dict[str, str]:
        number = next(self._id_numbers) & 0xFFFF_FFFF_FFFF
        return {
            "Id": str(entry_id),
            "MessageId": f"{self._id_prefix}{number:012x}",
            "MD5OfMessageBody": hashlib.md5(body, usedforsecurity=False).hexdigest(),
        }
