"""The page bucket of a local run: each object is a file under its key in the state directory.

In AWS the page bucket holds the raw pages FetchPage stores and ProcessPage reads back, and the
bodies of dead letters too large for an item. A local run's bucket is the directory
`<state dir>/pages`, and LocalBucket is the S3 client the handlers get for it (through the handlers'
client seam, as LocalQueue is their SQS client): the production PageStore puts, gets and deletes its
objects unchanged, and the bucket answers as S3 does where the product can tell: NoSuchKey (404) for
a missing key, NoSuchBucket for any other bucket, success for deleting a key that is already gone,
KeyTooLongError past 1,024 bytes of key.

Compared with the emulator's S3 over HTTP, a 2.6 MB page no longer crosses loopback twice (put, then
get) nor waits on the emulator process, and objects outlive the process without a snapshot: every
object is written to a temporary file and renamed into place, so no reader ever sees half of one,
and a dead letter's body is fsynced (file, then directory) before success is returned, as durable as
the journal's writes. Raw pages are not fsynced: a page lost with the machine is fetched again.

S3's answers: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (NoSuchKey),
https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html (204 for a missing key),
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (keys up to 1,024 bytes).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import ClientError

from eventframework.local.emulator.durable import sync_file, sync_folder
from eventframework.state.deadletters import DEAD_LETTER_BODY_PREFIX

MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255  # a file name's limit on the file systems a state directory lives on


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


class LocalBucket:
    """An S3 client for one bucket whose objects are files under `directory`."""

    def __init__(self, bucket: str, directory: Path) -> None:
        self.bucket = bucket
        self.directory = directory
        # Beside the bucket, not in it: a half-written object is never listed as a key.
        self._partial = directory.with_name(directory.name + ".partial")

    def start(self) -> LocalBucket:
        """Clear what a killed process left half-written; the objects themselves are already there."""
        shutil.rmtree(self._partial, ignore_errors=True)
        return self

    def stop(self) -> None:
        """Leave no empty staging folder behind in the state directory."""
        with contextlib.suppress(OSError):  # absent, or holding a write that is still going on
            self._partial.rmdir()

    def put_object(
        self,
        *,
        Bucket: str,  # noqa: N803 - boto3's parameter names
        Key: str,  # noqa: N803
        Body: bytes | bytearray | str | IO[bytes],  # noqa: N803
        ContentType: str | None = None,  # noqa: N803 - accepted as S3 does; no reader asks for it back
    ) -> dict[str, Any]:
        path = self._path("PutObject", Bucket, Key)
        durable = Key.startswith(DEAD_LETTER_BODY_PREFIX)
        self._partial.mkdir(parents=True, exist_ok=True)
        staged = self._partial / uuid.uuid4().hex
        with staged.open("wb") as handle:
            handle.write(_bytes(Body))
            if durable:
                sync_file(handle)
        try:
            self._move_in(staged, path)
        except (IsADirectoryError, NotADirectoryError, FileExistsError):
            staged.unlink()
            # S3 keeps "a/b" and "a/b/c" side by side; a file cannot also be a folder.
            raise _refused(
                "PutObject",
                "InvalidArgument",
                f"key {Key!r} would be both an object and a folder of other keys (or lie inside an "
                f"object's name), which a local run's bucket (files under {self.directory}) cannot hold",
                400,
            ) from None
        if durable:
            sync_folder(path.parent)
        return {"ResponseMetadata": {"HTTPStatusCode": 200}}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        path = self._path("GetObject", Bucket, Key)
        try:
            body = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _refused(
                "GetObject", "NoSuchKey", "The specified key does not exist.", 404, Key=Key
            ) from None
        return {
            "Body": io.BytesIO(body),
            "ContentLength": len(body),
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        path = self._path("DeleteObject", Bucket, Key)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass  # S3 answers 204 for a key that is not there
        else:
            self._remove_empty_folders(path.parent)
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}

    def keys(self, prefix: str = "") -> Iterator[str]:
        """The keys under `prefix`, a whole folder of keys such as ``pages/`` (S3 would also match
        part of a name; nothing here asks it to), in no set order."""
        if prefix and not prefix.endswith("/"):
            raise ValueError(f"a local bucket lists whole folders of keys: {prefix!r} must end with '/'")
        top = self.directory / prefix if prefix else self.directory
        if top.is_dir():
            for path in top.rglob("*"):
                if path.is_file():
                    yield path.relative_to(self.directory).as_posix()

    def _path(self, operation: str, bucket: str, key: str) -> Path:
        if bucket != self.bucket:
            raise _refused(
                operation,
                "NoSuchBucket",
                f"The specified bucket does not exist (a local run has one bucket, {self.bucket})",
                404,
                BucketName=bucket,
            )
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise _refused(operation, "KeyTooLongError", "Your key is too long", 400)
        parts = key.split("/")
        if any(part in ("", ".", "..") or len(part.encode("utf-8")) > MAX_SEGMENT_BYTES for part in parts):
            # S3 takes such keys; a bucket kept as files cannot, and the product never makes them.
            raise _refused(
                operation,
                "InvalidArgument",
                f"key {key!r} has an empty, '.' or '..' segment, or one over {MAX_SEGMENT_BYTES} bytes, "
                f"which a local run's bucket (files under {self.directory}) cannot store",
                400,
            )
        return self.directory.joinpath(*parts)

    @staticmethod
    def _move_in(staged: Path, path: Path) -> None:
        """Rename the staged object into place; a delete that just removed its (empty) folder makes
        the folder again, as S3 has none to lose."""
        for _ in range(3):
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(staged, path)
                return
            except FileNotFoundError:
                if not staged.exists():
                    raise
        os.replace(staged, path)

    def _remove_empty_folders(self, folder: Path) -> None:
        """A run's folder of pages goes with its last page, as S3 has no folders to leave behind."""
        while folder != self.directory and folder.is_relative_to(self.directory):
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): stop climbing
                return
            folder = folder.parent
