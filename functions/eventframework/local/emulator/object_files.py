"""Where a local bucket keeps each object: a file named by its key, or by the key's digest.

Raw pages are kept at their key (`pages/okta/<execution>/1.json` under the bucket's folder), which is
what someone looking in the state directory expects: the product makes those keys, from source ids,
execution names and page numbers. Every other key is kept in the folder `%` under the SHA-256 of the
key, with the key itself beside it (`<digest>.key`). A dead-letter key carries a vendor's event id,
and S3 takes any UTF-8 key up to 1,024 bytes: a segment may be empty, `.` or `..`, longer than a file
name may be, differ from another only in letter case (one file on a case-insensitive file system), or
a key may name both an object and the folder of others (`a/b` beside `a/b/c`, which S3 holds). By
digest every such key is its own file. A page key that cannot be a path goes there too, and a key
an earlier version kept at its path is still read, listed and deleted there.

Each file is written in a staging folder beside the bucket and renamed into place, so no reader sees
half of one; a durable write also fsyncs the file and every folder from it up to the bucket's own
entry in the state directory (a folder the write created is otherwise not on disk).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from eventframework.local.emulator.durable import sync_file, sync_folder

DIGEST_FOLDER = "%"
MAX_SEGMENT_BYTES = 255  # a file name's limit on the file systems a state directory lives on
_MISSING = (FileNotFoundError, IsADirectoryError, NotADirectoryError)
_NOT_A_PATH = (IsADirectoryError, NotADirectoryError, FileExistsError)


def _is_path_segment(segment: str) -> bool:
    return (
        segment not in ("", ".", "..")
        and "\x00" not in segment
        and len(segment.encode("utf-8")) <= MAX_SEGMENT_BYTES
    )


class ObjectFiles:
    """The files of one bucket under `root`, staged in `staging` (beside it, on the same file system);
    keys starting with `path_prefix` are kept at their path when they can be."""

    def __init__(self, root: Path, staging: Path, path_prefix: str) -> None:
        self.root = root
        self.staging = staging
        self.path_prefix = path_prefix

    def read(self, key: str) -> bytes | None:
        for path in self._places(key):
            with contextlib.suppress(*_MISSING):
                return path.read_bytes()
        return None

    def write(self, key: str, body: bytes, *, durable: bool) -> None:
        path = self._path(key) if key.startswith(self.path_prefix) else None
        if path is not None:
            try:
                self._move_in(self._staged(body, durable), path)
            except _NOT_A_PATH:  # `key` is also a folder of keys, or lies inside an object's name
                pass
            else:
                self._remove_digest_copy(key)
                if durable:
                    self._sync_folders(path)
                return
        object_path, key_path = self._digest_paths(key)
        self._move_in(self._staged(key.encode("utf-8"), durable), key_path)
        self._move_in(self._staged(body, durable), object_path)
        if durable:
            self._sync_folders(object_path)  # the folder holding both files, and those above it

    def remove(self, key: str) -> None:
        path = self._path(key)
        if path is not None:
            with contextlib.suppress(*_MISSING):
                path.unlink()
                self._remove_empty_folders(path.parent)
        self._remove_digest_copy(key)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with `prefix` (as S3 lists them), once each, in no set order."""
        listed: set[str] = set()
        folders = prefix.split("/")[:-1]
        folder = self.root.joinpath(*folders)
        if all(map(_is_path_segment, folders)) and folder.is_dir():
            for path in folder.rglob("*"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix) and self._path(key) is not None and path.is_file():
                    listed.add(key)
                    yield key
        digests = self.root / DIGEST_FOLDER
        if digests.is_dir():
            for key_path in digests.glob("*.key"):
                with contextlib.suppress(*_MISSING, UnicodeDecodeError):
                    key = key_path.read_bytes().decode("utf-8")
                    if key.startswith(prefix) and key not in listed and key_path.with_suffix("").is_file():
                        yield key

    def _places(self, key: str) -> Iterator[Path]:
        """Where `key` may be, newest layout first (a page's digest only if its path misses)."""
        path = self._path(key)
        if path is not None and key.startswith(self.path_prefix):
            yield path
            yield self._digest_paths(key)[0]
            return
        yield self._digest_paths(key)[0]
        if path is not None:
            yield path  # where an earlier version kept it

    def _path(self, key: str) -> Path | None:
        segments = key.split("/")
        if segments[0] == DIGEST_FOLDER or not all(map(_is_path_segment, segments)):
            return None
        return self.root.joinpath(*segments)

    def _digest_paths(self, key: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        folder = self.root / DIGEST_FOLDER
        return folder / digest, folder / f"{digest}.key"

    def _remove_digest_copy(self, key: str) -> None:
        if (self.root / DIGEST_FOLDER).is_dir():
            for path in self._digest_paths(key):  # the object, then the key naming it
                with contextlib.suppress(*_MISSING):
                    path.unlink()

    def _staged(self, body: bytes, durable: bool) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        staged = self.staging / uuid.uuid4().hex
        with staged.open("wb") as handle:
            handle.write(body)
            if durable:
                sync_file(handle)
        return staged

    def _move_in(self, staged: Path, path: Path) -> None:
        """Rename the staged file into place, making its folders first (again, if a delete removed
        one that had just emptied)."""
        try:
            for attempt in range(3):
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.replace(staged, path)
                    break
                except FileNotFoundError:
                    if attempt == 2 or not staged.exists():
                        raise
        except BaseException:
            staged.unlink(missing_ok=True)
            raise

    def _sync_folders(self, path: Path) -> None:
        """Sync every folder from `path`'s up to the bucket's entry in the state directory: a folder
        the write created is otherwise not on disk."""
        for folder in (path.parent, *path.parent.parents):
            sync_folder(folder)
            if folder == self.root.parent:
                return

    def _remove_empty_folders(self, folder: Path) -> None:
        """A run's folder of pages goes with its last page, as S3 has no folders to leave behind."""
        while folder != self.root and folder.is_relative_to(self.root):
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): stop climbing
                return
            folder = folder.parent
