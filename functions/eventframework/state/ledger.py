"""The ledger: ids of recently published events, so a re-fetched page is not published twice.

A page is fetched again after a crash between publish and checkpoint (redrive, retry), and
timestamp-cursor sources deliberately re-read a lag window. The ledger remembers what was delivered
in that window; ProcessPage drops those ids before publishing and records the new ones after.

One item per source (state table, sk `ledger`). The window of event id -> event epoch is stored as
one binary attribute `window`: zlib-compressed JSON `[[id, epoch], ...]`, newest first. One attribute
instead of a map of numbers keeps the per-page read and write cheap (no per-id number formatting or
attribute parsing, and fewer bytes, so fewer DynamoDB capacity units). Items written in the earlier
layout (`events`, a map of id -> number) are still read; the next write replaces them. The window is
bounded by time (entries older than the newest event minus the window are pruned), by count, and by
its encoded size, so the item stays well under DynamoDB's 400 KB limit. Only the lease holder writes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from eventframework.state._aws import translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LEDGER_SK = "ledger"
DEFAULT_MAX_ENTRIES = 5000
# DynamoDB's item limit is 400 KB; stay far below it so a large page never breaks the write.
MAX_ITEM_BYTES = 300_000
# Kept for at least this long even when a source has no lag window (crash-and-redrive overlap).
MIN_WINDOW_SECONDS = 3600
# The item itself expires (TTL attribute) this long after its newest event if the source goes quiet.
ITEM_TTL_SECONDS = 30 * 86400
_ENTRY_OVERHEAD_BYTES = 24
WINDOW_ATTRIBUTE = "window"
# Cheapest zlib level: ids compress well enough at 1, and the write is on every page's path.
_COMPRESSION_LEVEL = 1


def _entry_bytes(event_id: str) -> int:
    return len(event_id.encode("utf-8")) + _ENTRY_OVERHEAD_BYTES


class Ledger:
    """Recently published event ids of one source: `seen()` before publishing, `record()` after."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        source: str,
        *,
        window_seconds: int = 0,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self.table_name = table_name
        self.source = source
        self.window_seconds = max(window_seconds, MIN_WINDOW_SECONDS)
        self.max_entries = max_entries
        self._client = client
        self._entries: dict[str, float] | None = None

    def _key(self) -> dict[str, Any]:
        return {"source": {"S": self.source}, "sk": {"S": LEDGER_SK}}

    def _load(self) -> dict[str, float]:
        if self._entries is None:
            with translated(self.table_name, "read ledger"):
                response = self._client.get_item(
                    TableName=self.table_name, Key=self._key(), ConsistentRead=True
                )
            self._entries = decode_entries(response.get("Item"))
        return self._entries

    def seen(self) -> frozenset[str]:
        """Ids already delivered (a snapshot; use as the `seen_ids` container of process_records)."""
        return frozenset(self._load())

    def record(self, delivered: Iterable[tuple[str, float]]) -> None:
        """Add delivered (id, event epoch) pairs, prune to the bounds, and write the item back."""
        entries = dict(self._load())
        entries.update(delivered)
        if not entries:
            return
        newest_first = self._pruned(entries)
        window = _encoded(newest_first)
        with translated(self.table_name, "write ledger"):
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(),
                    WINDOW_ATTRIBUTE: {"B": window},
                    "expires_at": {"N": str(int(newest_first[0][1]) + ITEM_TTL_SECONDS)},
                },
            )
        self._entries = dict(newest_first)

    def _pruned(self, entries: dict[str, float]) -> list[tuple[str, float]]:
        """The newest entries inside the window, at most max_entries and MAX_ITEM_BYTES, newest first.

        On every page's path with a window of thousands of ids, so the loop does the least per id:
        the count bound is a slice, and an ASCII id's UTF-8 length is its length."""
        horizon = max(entries.values()) - self.window_seconds
        newest_first = sorted(entries.items(), key=itemgetter(1), reverse=True)
        kept: list[tuple[str, float]] = []
        size = 0
        for event_id, epoch in islice(newest_first, self.max_entries):
            size += len(event_id) + _ENTRY_OVERHEAD_BYTES if event_id.isascii() else _entry_bytes(event_id)
            if epoch < horizon or size > MAX_ITEM_BYTES:
                break
            kept.append((event_id, epoch))
        return kept


def _encoded(newest_first: list[tuple[str, float]]) -> bytes:
    """The window attribute's bytes; the oldest entries go if escaping made it exceed the budget."""
    while True:
        blob = zlib.compress(orjson.dumps(newest_first), _COMPRESSION_LEVEL)
        if len(blob) <= MAX_ITEM_BYTES or len(newest_first) <= 1:
            return blob
        newest_first = newest_first[: len(newest_first) // 2]


def decode_entries(item: Mapping[str, Any] | None) -> dict[str, float]:
    """Event id -> epoch from a ledger item, in either layout (empty for no item)."""
    if not item:
        return {}
    window = item.get(WINDOW_ATTRIBUTE, {}).get("B")
    if window is not None:
        pairs: list[list[Any]] = orjson.loads(zlib.decompress(bytes(window)))
        return dict(pairs)
    stored = item.get("events", {}).get("M", {})
    return {event_id: float(value["N"]) for event_id, value in stored.items()}


def newest_epoch(item: Mapping[str, Any] | None) -> float | None:
    """The newest delivered event's epoch in a ledger item, None when it holds none."""
    return max(decode_entries(item).values(), default=None)
