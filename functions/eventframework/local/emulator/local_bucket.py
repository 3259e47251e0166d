"""The page bucket of a local run: its objects are files in the state directory (`object_files.py`).

In AWS the page bucket holds the raw pages FetchPage stores and ProcessPage reads back, and the
bodies of dead letters too large for an item. A local run's bucket is the folder `<state-dir>/pages`,
and LocalBucket is the S3 client the handlers get for it (through the handlers' client seam, as
LocalQueue is their SQS client): the production PageStore and DeadLetterStore put, get and delete
unchanged, and the bucket answers as S3 does where the product can tell: NoSuchKey (404) for a
missing key, NoSuchBucket for any other bucket, success for deleting a key that is already gone,
KeyTooLongError past 1,024 bytes of key; any other key S3 takes is kept.

Compared with the emulator's S3 over HTTP, a 2.6 MB page no longer crosses loopback twice (put, then
get) nor waits on the emulator process, and the objects outlive the process without a snapshot.

Dead-letter bodies keep the guarantees of the step that writes them (docs/architecture.md, "As
durable as the services it stands in for"): a body is fsynced before its put returns, so the item the
step writes next never names a body that a crash could lose; and a body's deletion reaches the disk
only once the journal has committed the step that deleted the item: the deployment takes the pending
deletions (`pending_deletions`), commits the journal, then carries out those (`delete_pending`). A
step cut short by a crash is undone as a whole: its dead letters come back with their bodies. A body
whose item the crash undid stays behind, harmless and never read, as in AWS until the bucket's
lifecycle rule expires it. Raw pages are not fsynced: after a power loss a FAILED execution's redrive
may miss its page, and a new run fetches it again.

S3's answers: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (NoSuchKey),
https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html (204 for a missing key),
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (keys up to 1,024 bytes).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import shutil
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import ClientError

from eventframework.local.emulator.object_files import ObjectFiles
from eventframework.state.deadletters import DEAD_LETTER_BODY_PREFIX
from eventframework.state.pages import PAGES_PREFIX

MAX_KEY_BYTES = 1024


def _refused(operation: str, code: str, message: str, status: int, **details: str) -> ClientError:
    """The error botocore raises for what S3 refuses."""
    response: Any = {"Error": {"Code": code, "Message": message, **details}}
    response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, operation)


def _bytes(body: bytes | bytearray | str | IO[bytes]) -> bytes:
    """What boto3 accepts as a Body: bytes, a string (sent as UTF-8) or a readable file."""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return body.read()


def _durable(key: str) -> bool:
    return key.startswith(DEAD_LETTER_BODY_PREFIX)


class LocalBucket:
    """An S3 client for one bucket whose objects are files under `directory`."""

    def __init__(self, bucket: str, directory: Path) -> None:
        self.bucket = bucket
        self.directory = directory
        # Staged beside the bucket, not in it: a half-written object is never listed as a key.
        staging = directory.with_name(directory.name + ".partial")
        self._files = ObjectFiles(directory, staging, path_prefix=PAGES_PREFIX)
        # Dead-letter bodies deleted and not yet committed, each with the order of its deletion: a
        # body put again meanwhile leaves the map, so an older deletion never removes the new body.
        self._deleting: dict[str, int] = {}
        self._order = itertools.count()
        self._lock = threading.Lock()  # several engines may run in one deployment (reprocess)

    def start(self) -> LocalBucket:
        """Adopt a folder an earlier version's interrupted save left as `<dir>.old` (its last whole
        copy), and clear what a killed process left half-written."""
        previous = self.directory.with_name(self.directory.name + ".old")
        if not self.directory.exists() and previous.is_dir():
            previous.rename(self.directory)
        shutil.rmtree(self._files.staging, ignore_errors=True)
        return self

    def pending_deletions(self) -> dict[str, int]:
        """The dead-letter body deletions made so far: take them before the journal commits."""
        with self._lock:
            return dict(self._deleting)

    def delete_pending(self, taken: Mapping[str, int]) -> None:
        """Carry out deletions taken before a journal commit that has now succeeded."""
        with self._lock:
            for key, order in sorted(taken.items()):
                if self._deleting.get(key) == order:
                    self._files.remove(key)
                    del self._deleting[key]

    def stop(self) -> None:
        """Leave no empty staging folder in the state directory."""
        with contextlib.suppress(OSError):  # absent, or holding a write that is still going on
            self._files.staging.rmdir()

    def put_object(
        self,
        *,
        Bucket: str,  # noqa: N803 - boto3's parameter names
        Key: str,  # noqa: N803
        Body: bytes | bytearray | str | IO[bytes],  # noqa: N803
        ContentType: str | None = None,  # noqa: N803 - accepted as S3 does; no reader asks for it back
    ) -> dict[str, Any]:
        self._check("PutObject", Bucket, Key)
        body = _bytes(Body)
        if _durable(Key):
            with self._lock:
                self._deleting.pop(Key, None)
                self._files.write(Key, body, durable=True)
        else:
            self._files.write(Key, body, durable=False)
        return {"ResponseMetadata": {"HTTPStatusCode": 200}}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        self._check("GetObject", Bucket, Key)
        body = None if Key in self._deleting else self._files.read(Key)
        if body is None:
            raise _refused("GetObject", "NoSuchKey", "The specified key does not exist.", 404, Key=Key)
        return {
            "Body": io.BytesIO(body),
            "ContentLength": len(body),
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        self._check("DeleteObject", Bucket, Key)
        if _durable(Key):
            with self._lock:  # gone for readers now, from the disk after the step's commit
                self._deleting[Key] = next(self._order)
        else:
            self._files.remove(Key)
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}  # also for a key that is not there

    def keys(self, prefix: str = "") -> Iterator[str]:
        """The keys starting with `prefix` (as ListObjectsV2 selects them), in no set order."""
        return (key for key in self._files.keys(prefix) if key not in self._deleting)

    def _check(self, operation: str, bucket: str, key: str) -> None:
        if bucket != self.bucket:
            raise _refused(
                operation,
                "NoSuchBucket",
                f"The specified bucket does not exist (a local run has one bucket, {self.bucket})",
                404,
                BucketName=bucket,
            )
        if not key:
            raise _refused(operation, "InvalidArgument", "An object key must not be empty", 400)
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise _refused(operation, "KeyTooLongError", "Your key is too long", 400)
