"""The ledger: ids of recently published events, so a re-fetched page is not published twice.

A page is fetched again after a crash between publish and checkpoint (redrive, retry), and
timestamp-cursor sources deliberately re-read a lag window. The ledger remembers what was delivered
in that window; ProcessPage drops those ids before publishing and records the new ones after.

One item per source (state table, sk `ledger`): a map of event id -> event epoch. It is bounded by
time (entries older than the newest event minus the window are pruned), by count, and by an estimate
of its size, so it stays well under DynamoDB's 400 KB item limit. Only the lease holder writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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
            stored = response.get("Item", {}).get("events", {}).get("M", {})
            self._entries = {event_id: float(value["N"]) for event_id, value in stored.items()}
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
        entries = self._pruned(entries)
        newest = max(entries.values())
        with translated(self.table_name, "write ledger"):
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(),
                    "events": {"M": {key: {"N": _number(value)} for key, value in entries.items()}},
                    "expires_at": {"N": str(int(newest) + ITEM_TTL_SECONDS)},
                },
            )
        self._entries = entries

    def _pruned(self, entries: dict[str, float]) -> dict[str, float]:
        """Keep the newest entries inside the window, at most max_entries and MAX_ITEM_BYTES."""
        horizon = max(entries.values()) - self.window_seconds
        newest_first = sorted(entries.items(), key=lambda item: item[1], reverse=True)
        kept: dict[str, float] = {}
        size = 0
        for event_id, epoch in newest_first:
            size += _entry_bytes(event_id)
            if epoch < horizon or len(kept) >= self.max_entries or size > MAX_ITEM_BYTES:
                break
            kept[event_id] = epoch
        return kept


def _number(value: float) -> str:
    # DynamoDB numbers are decimal strings; keep sub-second precision without float noise.
    return str(Decimal(repr(value)).normalize()) if value != int(value) else str(int(value))
