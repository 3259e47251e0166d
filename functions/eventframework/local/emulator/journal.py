"""A write-ahead journal that makes the emulator's durable stores as durable as the AWS services.

moto keeps DynamoDB in memory; a local run that is killed would lose every checkpoint, lease, ledger
entry and dead letter it wrote since it started. The journal hooks the boto3 session every handler
and the engine use (botocore's documented event system, no patching): each successful write to
DynamoDB is appended to `journal.jsonl` in the state directory before the call returns to its
caller (the page bucket is files that keep the same step rule with the deployment's commit:
`local_bucket.py`; a journal written before that, with S3 writes in it, still replays through the
client `recover` is given for "s3").
Whenever the engine leaves a state, `commit()` makes the step durable in the order the guarantees
need: the delivered-events file is fsynced first, then a commit marker naming that file's length is
appended and the journal fsynced.

Recovery (the next run, `recover()`) replays the writes up to the last commit marker and truncates
the delivered-events file to the length that marker names. What a step did before the process died
in the middle of it is rolled back as a whole: its events leave the file with its ledger entries,
and the next run processes that page again. So a run killed at any instant loses nothing and
delivers nothing twice. A clean exit folds the journal into the table snapshots (`snapshot.py`).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from botocore import xform_name

from eventframework.errors import EventFrameworkError
from eventframework.local.emulator.durable import sync_file

JOURNAL_FILE = "journal.jsonl"
# Writes that change a table; reads and scans are not journaled.
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
CONTEXT_KEY = "efw-journal"


class JournalError(EventFrameworkError):
    """The journal of a state directory cannot be replayed (it names the line and the reason)."""


def encode_binary(value: Any) -> Any:
    """JSON-safe: bytes become {"__b64__": ...} (DynamoDB binary attributes, S3 bodies)."""
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: encode_binary(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [encode_binary(item) for item in value]
    return value


def decode_binary(value: Any) -> Any:
    """The inverse of encode_binary."""
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {key: decode_binary(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_binary(item) for item in value]
    return value


@dataclass(frozen=True)
class Delivered:
    """Where committed events are: a file and its length in bytes at the last commit."""

    path: str
    length: int


class DeliveryLog(Protocol):
    """What the journal needs of the delivered-events file (the local MozDef queue)."""

    @property
    def path(self) -> Path: ...

    def sync(self) -> int:
        """Flush and fsync what was written; return the file's length in bytes."""
        ...


class WriteJournal:
    """Journal the durable writes of every client made from `events`' session; commit per step."""

    def __init__(self, directory: Path, events: Any, delivered: DeliveryLog | None = None) -> None:
        self.path = directory / JOURNAL_FILE
        self._events = events
        self._delivered = delivered
        self._lock = threading.Lock()
        self._handle: Any = None
        self._dirty = False
        self._committed_length: int | None = None
        self.commits = 0
        self._hooks: list[tuple[str, Callable[..., Any], str]] = [
            ("provide-client-params.dynamodb", self._remember, "efw-journal-params-dynamodb"),
            ("after-call.dynamodb", self._record, "efw-journal-record-dynamodb"),
        ]

    # --- recording -------------------------------------------------------------------------------

    def start(self) -> WriteJournal:
        """Open the journal for appending and start recording writes made through the session."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")
        for event, handler, unique_id in self._hooks:
            self._events.register(event, handler, unique_id=unique_id)
        return self

    def stop(self) -> None:
        """Commit what is pending, stop recording and close the file (the process may go on)."""
        if self._handle is None:
            return
        self.commit()
        for event, _handler, unique_id in self._hooks:
            self._events.unregister(event, unique_id=unique_id)
        self._handle.close()
        self._handle = None

    def _remember(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name in DYNAMODB_WRITES:
            context[CONTEXT_KEY] = json.dumps(
                {
                    "service": model.service_model.service_name,
                    "op": model.name,
                    "params": encode_binary(params),
                },
                separators=(",", ":"),
            )

    def _record(self, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        line = context.pop(CONTEXT_KEY, None)
        if line is None or http_response.status_code >= 300 or self._handle is None:
            return
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()  # in the OS before the caller sees success: a SIGKILL keeps it
            self._dirty = True

    def commit(self) -> None:
        """Make everything written so far durable: delivered events first, then the journal."""
        if self._handle is None:
            return
        with self._lock:
            length = self._delivered.sync() if self._delivered is not None else None
            if not self._dirty and length == self._committed_length:
                return
            marker: dict[str, Any] = {"commit": self.commits + 1}
            if self._delivered is not None and length is not None:
                marker["delivered"] = {"path": str(self._delivered.path), "length": length}
            self._handle.write(json.dumps(marker, separators=(",", ":")) + "\n")
            sync_file(self._handle)
            self._dirty = False
            self._committed_length = length
            self.commits += 1


@dataclass
class Recovery:
    """What `recover` found: writes replayed, writes of an unfinished step dropped, file truncation."""

    replayed: int = 0
    dropped: int = 0
    truncated_bytes: int = 0

    @property
    def interrupted(self) -> bool:
        """A previous process died with work in flight (a step it never finished, or events after
        the last commit)."""
        return self.dropped > 0 or self.truncated_bytes > 0


def _committed_lines(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], Delivered | None, int, int]:
    """The writes up to the last commit marker, that marker's delivery, and the byte offset it ends at."""
    writes: list[tuple[int, dict[str, Any]]] = []
    committed: list[tuple[int, dict[str, Any]]] = []
    delivered: Delivered | None = None
    offset = end = 0
    pending = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            offset += len(raw)
            if not raw.endswith(b"\n"):
                break  # a record cut short by the crash: never acknowledged to its caller
            record = json.loads(raw)
            if "commit" in record:
                committed.extend(writes)
                writes = []
                end = offset
                if "delivered" in record:
                    delivered = Delivered(record["delivered"]["path"], int(record["delivered"]["length"]))
            else:
                writes.append((number, record))
        pending = len(writes)
    return committed, delivered, end, pending


def recover(directory: Path, client_for: Callable[[str], Any]) -> Recovery:
    """Replay the committed writes of `directory`'s journal, cut off the rest, trim delivered events.

    `client_for(service)` gives a client of the emulator that does not journal (recovery runs before
    `WriteJournal.start`).
    """
    path = directory / JOURNAL_FILE
    recovery = Recovery()
    if not path.exists():
        return recovery
    committed, delivered, end, pending = _committed_lines(path)
    for number, record in committed:
        call = getattr(client_for(record["service"]), xform_name(record["op"]))
        try:
            call(**decode_binary(record["params"]))
        except Exception as error:  # a journal that does not replay is a bug worth a clear stop
            raise JournalError(
                f"{path}:{number}: replaying {record['op']} failed ({error}); the state directory is "
                "inconsistent, move it aside to start afresh"
            ) from error
    recovery.replayed, recovery.dropped = len(committed), pending
    with path.open("r+b") as handle:  # the unfinished step's writes are gone for good
        handle.truncate(end)
        sync_file(handle)
    if delivered is not None:
        recovery.truncated_bytes = _trim(Path(delivered.path), delivered.length)
    return recovery


def _trim(path: Path, length: int) -> int:
    """Cut `path` back to `length` bytes (events of a step that never finished); return bytes cut."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size <= length:
        return 0
    with path.open("r+b") as handle:
        handle.truncate(length)
        sync_file(handle)
    return size - length


def journal_lines(directory: Path) -> Iterator[dict[str, Any]]:
    """Every record of a journal, for inspection (status shows whether a run was interrupted)."""
    path = directory / JOURNAL_FILE
    if path.exists():
        with path.open("rb") as handle:
            for raw in handle:
                if raw.endswith(b"\n"):
                    yield json.loads(raw)
