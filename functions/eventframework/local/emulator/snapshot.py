"""Keep the emulator's durable stores in a state directory, so a local run outlives its process.

moto keeps everything in memory. A scheduled pull in AWS finds the previous run's checkpoint, lease
and dead letters in DynamoDB; a second `efw run` must find them too. Tables are written as JSON lines
of DynamoDB's own attribute-value format (lossless: numbers stay strings, binary is base64), one file
per table, and loaded back before the next run. Raw pages that a failed run may still need (a
redrive re-reads the page it failed on) are mirrored as files.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

BATCH_WRITE_LIMIT = 25


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def read_items(path: Path) -> Iterator[dict[str, Any]]:
    """The items of a table file written by save_table (binary attributes back to bytes)."""
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield _decode(json.loads(line))


def _scan(client: DynamoDBClient, table: str) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator("scan").paginate(TableName=table):
        yield from page.get("Items", [])


def save_table(client: DynamoDBClient, table: str, path: Path) -> int:
    """Write every item of `table` to `path` atomically; return the number of items written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8") as out:
        for item in _scan(client, table):
            out.write(json.dumps(_encode(item), separators=(",", ":")) + "\n")
            count += 1
    os.replace(partial, path)
    return count


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


def save_bucket(client: S3Client, bucket: str, directory: Path, keep: Callable[[str], bool]) -> int:
    """Mirror the objects of `bucket` whose key `keep` accepts into `directory`, replacing it."""
    staging = directory.with_name(directory.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    count = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            key = entry["Key"]
            if not keep(key):
                continue
            target = staging / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())
            count += 1
    shutil.rmtree(directory, ignore_errors=True)
    if count:
        staging.rename(directory)
    else:
        shutil.rmtree(staging, ignore_errors=True)
    return count


def load_bucket(client: S3Client, bucket: str, directory: Path) -> int:
    """Upload every file saved under `directory` back into `bucket` under its relative key."""
    if not directory.is_dir():
        return 0
    files = [path for path in directory.rglob("*") if path.is_file()]
    for path in files:
        client.put_object(Bucket=bucket, Key=path.relative_to(directory).as_posix(), Body=path.read_bytes())
    return len(files)
