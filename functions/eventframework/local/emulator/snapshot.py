"""Keep the emulator's durable stores in a state directory, so a local run outlives its process.

moto keeps everything in memory. A scheduled pull in AWS finds the previous run's checkpoint, lease
and dead letters in DynamoDB; a second `efw run` must find them too. Tables are written as JSON lines
of DynamoDB's own attribute-value format (lossless: numbers stay strings, binary is base64), one file
per table, and loaded back before the next run. (The page bucket needs no snapshot: it is files
already, `local_bucket.py`.)

Between snapshots, the journal (`journal.py`) holds every write. `save_tables` folds it in without
a window where a crash could apply a write twice or lose one: all snapshots are written beside the
old ones first, then the journal is renamed `journal.applied` (from that instant the new snapshots
are the truth), then they replace the old ones; `settle_tables` finishes or undoes an interrupted
save before anything is loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventframework.local.emulator.durable import sync_file, sync_folder
from eventframework.local.emulator.journal import JOURNAL_FILE, decode_binary, encode_binary

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_WRITE_LIMIT = 25
APPLIED_JOURNAL = "journal.applied"
PARTIAL = ".partial"


def read_items(path: Path) -> Iterator[dict[str, Any]]:
    """The items of a table file written by save_table (binary attributes back to bytes)."""
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield decode_binary(json.loads(line))


def _scan(client: DynamoDBClient, table: str) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator("scan").paginate(TableName=table):
        yield from page.get("Items", [])


def _partial(path: Path) -> Path:
    return path.with_suffix(path.suffix + PARTIAL)


def _write_partial(client: DynamoDBClient, table: str, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with _partial(path).open("w", encoding="utf-8") as out:
        for item in _scan(client, table):
            out.write(json.dumps(encode_binary(item), separators=(",", ":")) + "\n")
            count += 1
        sync_file(out)
    return count


def save_table(client: DynamoDBClient, table: str, path: Path) -> int:
    """Write every item of `table` to `path` atomically; return the number of items written."""
    count = _write_partial(client, table, path)
    os.replace(_partial(path), path)
    return count


def save_tables(client: DynamoDBClient, tables: Mapping[str, Path], directory: Path) -> int:
    """Snapshot every table (name -> file in `directory`) and retire the journal; return the items."""
    count = sum(_write_partial(client, name, path) for name, path in tables.items())
    journal, applied = directory / JOURNAL_FILE, directory / APPLIED_JOURNAL
    if journal.exists():
        os.replace(journal, applied)
    else:
        applied.touch()
    sync_folder(directory)
    settle_tables(directory)
    return count


def settle_tables(directory: Path) -> None:
    """Finish a snapshot that was interrupted after the journal was retired, or drop its leftovers."""
    if not directory.is_dir():
        return
    applied = directory / APPLIED_JOURNAL
    for partial in directory.glob(f"*{PARTIAL}"):
        if applied.exists():
            os.replace(partial, partial.with_suffix(""))
        else:
            partial.unlink()
    if applied.exists():
        sync_folder(directory)
        applied.unlink()


def load_table(client: DynamoDBClient, table: str, path: Path) -> int:
    """Put the items saved in `path` back into `table`; a missing file means a first run."""
    items = list(read_items(path))
    for start in range(0, len(items), BATCH_WRITE_LIMIT):
        requests: Any = [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_LIMIT]]
        pending: Any = {table: requests}
        while pending:
            response = client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
    return len(items)
