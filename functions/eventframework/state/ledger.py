"""The ledger: ids of recently published events, so a re-fetched page is not published twice.

A page is fetched again for two reasons, and the window kept is the union of what each needs:

1. A crash after publish and the ledger write but before the checkpoint makes a retry, a redrive or
   the next run fetch that page again. Only the lease holder writes the ledger, and it prunes only
   on its own writes, so whatever the wall-clock gap before the re-fetch, the ids written last are
   still there. A re-fetch starts at the last saved cursor, so it can hold the current page and the
   boundary of the one before (an inclusive timestamp, a shifted offset): the ids of the last two
   pages suffice. They are kept by count, in the order they were recorded (newest page first):
   `2 * max(page_size, ids on this page)`, so a source whose pages are small keeps more pages.
2. Timestamp-cursor sources with `cursor.lag_seconds` > 0 re-read that window on every run: entries
   whose event time is within `lag_seconds` of the newest are kept as well, newest first.

Both are capped by count (`max_entries`) and by encoded size, so the item stays well under
DynamoDB's 400 KB limit. No wall-clock minimum: the earlier hour-long floor cost ~120 KB read and
written per 1,000-event page for sources without a lag, which neither reason needs.

One item per source (state table, sk `ledger`; a backfill has its own, `ledger#backfill#...`, so it
never pushes the live pull's ids out), one binary attribute `window`: zlib-compressed JSON
`{"ids": [...], "us": [...]}`, ids in window order and event times as integer microseconds, the first
absolute and then differences (exact: used only when every epoch round-trips, else `"epochs"` holds
the floats). Items written in earlier layouts (`window` as `[[id, epoch], ...]` newest first, or
`events`, a map of id -> number) are still read, their entries taken as the last page; the next
write replaces them. A page that delivered nothing new writes nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from itertools import accumulate, islice, pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from eventframework.state.aws import translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LEDGER_SK = "ledger"
DEFAULT_MAX_ENTRIES = 5000
# The page size assumed when the caller gives none (readers such as reprocess never prune).
DEFAULT_PAGE_SIZE = 1000
# Pages whose ids are kept whatever their age: the current one and the one before (reason 1).
RECENT_PAGES = 2
# DynamoDB's item limit is 400 KB; stay far below it so a large page never breaks the write.
MAX_ITEM_BYTES = 300_000
# The item itself expires (TTL attribute) this long after its newest event if the source goes quiet.
ITEM_TTL_SECONDS = 30 * 86400
_ENTRY_OVERHEAD_BYTES = 24
WINDOW_ATTRIBUTE = "window"
# Cheapest zlib level: random ids barely compress better at 6 or 9, and the write is on every page.
_COMPRESSION_LEVEL = 1
_MICROS = 1_000_000

Entry = tuple[str, float]


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
        page_size: int = DEFAULT_PAGE_SIZE,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        sk: str = LEDGER_SK,
    ) -> None:
        self.table_name = table_name
        self.sk = sk
        self.source = source
        self.window_seconds = max(window_seconds, 0)
        self.page_size = page_size
        self.max_entries = max_entries
        self._client = client
        self._entries: dict[str, float] | None = None

    def _key(self) -> dict[str, Any]:
        return {"source": {"S": self.source}, "sk": {"S": self.sk}}

    def _load(self) -> dict[str, float]:
        """Event id -> epoch in window order (insertion order of the dict)."""
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
        """Put this page's delivered (id, event epoch) pairs first (newest first), prune, write back."""
        stored = self._load()
        fresh = [(event_id, epoch) for event_id, epoch in delivered if event_id not in stored]
        if not fresh:
            return
        page = dict(sorted(fresh, key=itemgetter(1), reverse=True))
        window = self._pruned(page, stored)
        newest = max(epoch for _, epoch in window)
        with translated(self.table_name, "write ledger"):
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(),
                    WINDOW_ATTRIBUTE: {"B": _encoded(window)},
                    "expires_at": {"N": str(int(newest) + ITEM_TTL_SECONDS)},
                },
            )
        self._entries = dict(window)

    def _pruned(self, page: dict[str, float], stored: dict[str, float]) -> list[Entry]:
        """This page and the one before (by count), then the lag window newest first, within the caps.

        On every page's path, so the loop does the least per id: the count bound is a slice, and an
        ASCII id's UTF-8 length is its length."""
        ordered = [*page.items(), *stored.items()]
        recent = RECENT_PAGES * max(self.page_size, len(page))
        window = ordered[:recent]
        if self.window_seconds and len(ordered) > recent:
            horizon = max(epoch for _, epoch in ordered) - self.window_seconds
            lagged = [entry for entry in ordered[recent:] if entry[1] >= horizon]
            window += sorted(lagged, key=itemgetter(1), reverse=True)
        kept: list[Entry] = []
        size = 0
        for event_id, epoch in islice(window, self.max_entries):
            size += len(event_id) + _ENTRY_OVERHEAD_BYTES if event_id.isascii() else _entry_bytes(event_id)
            if size > MAX_ITEM_BYTES:
                break
            kept.append((event_id, epoch))
        return kept


def _epoch_columns(epochs: list[float]) -> dict[str, list[Any]]:
    """Epochs as integer microsecond differences when every one round-trips exactly, else as floats."""
    micros = [round(epoch * _MICROS) for epoch in epochs]
    if any(micro / _MICROS != epoch for micro, epoch in zip(micros, epochs, strict=True)):
        return {"epochs": epochs}
    return {"us": [micros[0], *(later - earlier for earlier, later in pairwise(micros))]}


def _encoded(window: list[Entry]) -> bytes:
    """The window attribute's bytes; the last entries go if escaping made it exceed the budget."""
    while True:
        ids = [event_id for event_id, _ in window]
        document = {"ids": ids, **_epoch_columns([epoch for _, epoch in window])}
        blob = zlib.compress(orjson.dumps(document), _COMPRESSION_LEVEL)
        if len(blob) <= MAX_ITEM_BYTES or len(window) <= 1:
            return blob
        window = window[: len(window) // 2]


def _decoded_window(window: bytes) -> dict[str, float]:
    document: Any = orjson.loads(zlib.decompress(window))
    if isinstance(document, list):  # the earlier [[id, epoch], ...] layout, newest first
        return dict(document)
    ids: list[str] = document["ids"]
    if "us" in document:
        epochs = [micro / _MICROS for micro in accumulate(document["us"])]
    else:
        epochs = document["epochs"]
    return dict(zip(ids, epochs, strict=True))


def decode_entries(item: Mapping[str, Any] | None) -> dict[str, float]:
    """Event id -> epoch from a ledger item in window order, in any layout (empty for no item)."""
    if not item:
        return {}
    window = item.get(WINDOW_ATTRIBUTE, {}).get("B")
    if window is not None:
        return _decoded_window(bytes(window))
    stored = item.get("events", {}).get("M", {})
    entries = {event_id: float(value["N"]) for event_id, value in stored.items()}
    return dict(sorted(entries.items(), key=itemgetter(1), reverse=True))


def newest_epoch(item: Mapping[str, Any] | None) -> float | None:
    """The newest delivered event's epoch in a ledger item, None when it holds none."""
    return max(decode_entries(item).values(), default=None)
