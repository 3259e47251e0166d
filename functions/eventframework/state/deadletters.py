"""Dead letters: events that could not be delivered, kept with the reason until reprocessed.

A DynamoDB table (pk `source`, sk `event_key`) rather than an SQS dead-letter queue: dead letters
must be listed, counted by kind, looked up by key, updated in place on each failed attempt and
deleted once reprocessed, none of which a queue offers. `put` is an upsert: attempts grow by one,
`first_seen` is kept, `last_seen`, the reason and the run are refreshed. A raw event too large for
an item (> 350 KB) is stored in the page bucket and the item keeps a reference to it. That body is
removed (`discard_raw`) only after the item is gone, so a failure in between leaves an orphan body
(harmless: the bucket's lifecycle rule for `deadletters/` expires it), never an item whose body is
missing. Error kinds are those of `eventframework.process.results.ErrorKind` (the processing
vocabulary owns them).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from eventframework.jsontext import dumps_deep
from eventframework.state.aws import translated
from eventframework.state.errors import StateStoreError
from eventframework.state.pages import PageRef, PageStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_INLINE_RAW_BYTES = 350_000
# Where an oversized raw event is kept in the page bucket; the bucket's lifecycle rule for this
# prefix expires orphans, and a local run keeps these objects durable (local_bucket.py).
DEAD_LETTER_BODY_PREFIX = "deadletters/"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    source: str
    event_key: str
    raw: str | None
    raw_ref: PageRef | None
    error_kind: str
    message: str
    run_id: str
    page_ref: PageRef | None
    attempts: int
    first_seen: str
    last_seen: str


def _ref_attr(ref: PageRef) -> dict[str, Any]:
    return {"M": {"bucket": {"S": ref.bucket}, "key": {"S": ref.key}}}


def _ref_value(attr: Mapping[str, Any] | None) -> PageRef | None:
    if not attr or "M" not in attr:
        return None
    return PageRef(attr["M"]["bucket"]["S"], attr["M"]["key"]["S"])


def _raw_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return json.dumps(raw, separators=(",", ":"), default=str)
    except RecursionError:  # a record nested too deeply to process is kept exactly all the same
        return dumps_deep(raw)


class DeadLetterStore:
    """Upsert, list, count and delete dead letters of a source."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        *,
        pages: PageStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._pages = pages
        self._clock = clock

    def put(
        self,
        source: str,
        *,
        event_key: str,
        raw: Any,
        error_kind: str,
        message: str,
        run_id: str,
        page_ref: PageRef | None = None,
    ) -> None:
        """Record (or update) one dead letter; `raw` is the original event (text or JSON value)."""
        now = datetime.fromtimestamp(self._clock(), UTC).isoformat()
        values: dict[str, Any] = {
            ":error_kind": {"S": str(error_kind)},
            ":message": {"S": message or str(error_kind)},
            ":run_id": {"S": run_id},
            ":now": {"S": now},
            ":one": {"N": "1"},
        }
        # Every attribute through a name placeholder: `raw` and `message` are DynamoDB reserved words.
        sets = [f"#{name} = :{name}" for name in ("error_kind", "message", "run_id")]
        sets += ["#last_seen = :now", "#first_seen = if_not_exists(#first_seen, :now)"]
        sets.append(self._raw_assignment(source, event_key, _raw_text(raw), values))
        if page_ref is not None:
            values[":page_ref"] = _ref_attr(page_ref)
            sets.append("#page_ref = :page_ref")
        expression = f"SET {', '.join(sets)} ADD #attempts :one"
        names = {placeholder: placeholder[1:] for placeholder in re.findall(r"#\w+", expression)}
        with translated(self.table_name, "put dead letter"):
            self._client.update_item(
                TableName=self.table_name,
                Key={"source": {"S": source}, "event_key": {"S": event_key}},
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def _raw_assignment(self, source: str, event_key: str, raw: str, values: dict[str, Any]) -> str:
        encoded = raw.encode("utf-8")
        if len(encoded) <= MAX_INLINE_RAW_BYTES:
            values[":raw"] = {"S": raw}
            return "#raw = :raw"
        if self._pages is None:
            raise ValueError("a raw event over 350 KB needs a PageStore to hold it")
        ref = self._pages.put_object(f"{DEAD_LETTER_BODY_PREFIX}{source}/{event_key}.json", encoded)
        values[":raw_ref"] = _ref_attr(ref)
        return "#raw_ref = :raw_ref"

    def get(self, source: str, event_key: str) -> DeadLetter | None:
        with translated(self.table_name, "get dead letter"):
            response = self._client.get_item(
                TableName=self.table_name,
                Key={"source": {"S": source}, "event_key": {"S": event_key}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return None if item is None else self.from_item(item)

    def list(self, source: str) -> Iterator[DeadLetter]:
        """Every dead letter of `source`, following DynamoDB's pagination."""
        paginator = self._client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="#source = :source",
            ExpressionAttributeNames={"#source": "source"},
            ExpressionAttributeValues={":source": {"S": source}},
        )
        with translated(self.table_name, "list dead letters"):
            for page in pages:
                for item in page.get("Items", []):
                    yield self.from_item(item)

    def page(self, source: str, after: str | None, limit: int) -> tuple[Sequence[DeadLetter], str | None]:
        """Up to `limit` dead letters of `source` after key `after`, and the key to continue after
        (None at the end): a reprocess batch reads them a page at a time."""
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#source = :source",
            "ExpressionAttributeNames": {"#source": "source"},
            "ExpressionAttributeValues": {":source": {"S": source}},
            "Limit": limit,
            "ConsistentRead": True,
        }
        if after:
            query["ExclusiveStartKey"] = {"source": {"S": source}, "event_key": {"S": after}}
        with translated(self.table_name, "list dead letters"):
            response = self._client.query(**query)
        letters = [self.from_item(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return letters, (last["event_key"]["S"] if last else None)

    def count(self, source: str) -> int:
        """How many dead letters `source` has (a COUNT query: no item is read out)."""
        total = 0
        pages = self._client.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="#source = :source",
            ExpressionAttributeNames={"#source": "source"},
            ExpressionAttributeValues={":source": {"S": source}},
            Select="COUNT",
        )
        with translated(self.table_name, "count dead letters"):
            for page in pages:
                total += int(page["Count"])
        return total

    def counts_by_kind(self, source: str) -> dict[str, int]:
        return dict(Counter(letter.error_kind for letter in self.list(source)))

    def delete(self, source: str, event_key: str) -> None:
        with translated(self.table_name, "delete dead letter"):
            self._client.delete_item(
                TableName=self.table_name,
                Key={"source": {"S": source}, "event_key": {"S": event_key}},
            )

    def discard_raw(self, letter: DeadLetter) -> bool:
        """Delete the S3 body of a dead letter whose item is already deleted; True when nothing is left.

        Call it only after the item's deletion succeeded (a leftover body is harmless, a missing one
        is not). A failure is reported by the return value, not raised: the caller's work (an event on
        the queue, a confirmed claim) is done, and the lifecycle rule expires the orphan.
        """
        if letter.raw_ref is None or self._pages is None:
            return True
        try:
            self._pages.delete(letter.raw_ref)
        except StateStoreError as error:
            _log.warning(
                "dead letter %s/%s is deleted but its body %s stays until the lifecycle rule expires it: %s",
                letter.source,
                letter.event_key,
                letter.raw_ref.key,
                error,
            )
            return False
        return True

    def load_raw(self, letter: DeadLetter) -> str:
        """The raw event text, fetched from the page bucket when it was too large to keep inline."""
        if letter.raw is not None:
            return letter.raw
        if letter.raw_ref is None or self._pages is None:
            raise ValueError(f"dead letter {letter.event_key!r} has no raw event and no reference")
        return self._pages.get(letter.raw_ref).decode("utf-8")

    @staticmethod
    def from_item(item: Mapping[str, Any]) -> DeadLetter:
        """A dead letter from its DynamoDB item, for readers that query the table themselves (the
        reprocess batch pages through it; the local tools read the state directory's copy)."""
        return DeadLetter(
            source=item["source"]["S"],
            event_key=item["event_key"]["S"],
            raw=item.get("raw", {}).get("S"),
            raw_ref=_ref_value(item.get("raw_ref")),
            error_kind=item.get("error_kind", {}).get("S", ""),
            message=item.get("message", {}).get("S", ""),
            run_id=item.get("run_id", {}).get("S", ""),
            page_ref=_ref_value(item.get("page_ref")),
            attempts=int(item.get("attempts", {}).get("N", "0")),
            first_seen=item.get("first_seen", {}).get("S", ""),
            last_seen=item.get("last_seen", {}).get("S", ""),
        )
