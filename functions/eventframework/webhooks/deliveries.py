"""Idempotency by delivery id: one item per delivery in the state table (sk ``delivery#<id>``).

Vendors retry a delivery they think failed (GitHub, Zoom and Okta all do). The first request claims
the delivery with a conditional write (``pending``, held for ``hold_seconds``), processes it, and
marks it ``done``; a retry that finds ``done`` is acknowledged without republishing. A claim whose
holder crashed expires after ``hold_seconds``, so the vendor's next retry processes it again
(at-least-once, never lost). Per-item conditional writes, unlike the pull ledger's single item,
stay correct under concurrent Lambda invocations. Done items expire (TTL) after ``keep_seconds``.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from eventframework.state.aws import is_conditional_failure, translate, translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PLAIN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
PENDING = "pending"
DONE = "done"


class Claim(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    IN_PROGRESS = "in_progress"


def delivery_key(delivery_id: str | None, body: bytes) -> str:
    """The vendor's delivery id when it is a plain token, else a SHA-256 (of the id, or of the body)."""
    if delivery_id and _PLAIN_ID.match(delivery_id):
        return delivery_id
    material = delivery_id.encode("utf-8", errors="surrogatepass") if delivery_id else body
    return "sha256:" + hashlib.sha256(material).hexdigest()


class DeliveryStore:
    """Claim, complete and release deliveries of a source in the state table."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        *,
        clock: Callable[[], float] = time.time,
        hold_seconds: int = 120,
        keep_seconds: int = 7 * 86400,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._clock = clock
        self.hold_seconds = hold_seconds
        self.keep_seconds = keep_seconds

    @staticmethod
    def _key(source: str, key: str) -> dict[str, Any]:
        return {"source": {"S": source}, "sk": {"S": f"delivery#{key}"}}

    def claim(self, source: str, key: str) -> Claim:
        now = int(self._clock())
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(source, key),
                    "status": {"S": PENDING},
                    "held_until": {"N": str(now + self.hold_seconds)},
                    "expires_at": {"N": str(now + self.keep_seconds)},
                },
                ConditionExpression="attribute_not_exists(sk) OR (#s = :pending AND held_until < :now)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":pending": {"S": PENDING}, ":now": {"N": str(now)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise translate(error, self.table_name, "claim delivery") from error
            held: Mapping[str, Any] = error.response.get("Item", {})  # type: ignore[assignment]
            status = held.get("status", {}).get("S")
            return Claim.DUPLICATE if status == DONE else Claim.IN_PROGRESS
        return Claim.NEW

    def complete(self, source: str, key: str, counts: Mapping[str, int]) -> None:
        now = int(self._clock())
        item = {
            **self._key(source, key),
            "status": {"S": DONE},
            "done_at": {"N": str(now)},
            "expires_at": {"N": str(now + self.keep_seconds)},
            **{name: {"N": str(value)} for name, value in counts.items()},
        }
        with translated(self.table_name, "complete delivery"):
            self._client.put_item(TableName=self.table_name, Item=item)

    def release(self, source: str, key: str) -> None:
        """Give a claim back after a failure, so the vendor's retry is processed at once."""
        with translated(self.table_name, "release delivery"):
            self._client.delete_item(
                TableName=self.table_name,
                Key=self._key(source, key),
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":pending": {"S": PENDING}},
            )

    def status(self, source: str, key: str) -> str | None:
        with translated(self.table_name, "read delivery"):
            item = self._client.get_item(
                TableName=self.table_name, Key=self._key(source, key), ConsistentRead=True
            ).get("Item")
        return None if item is None else str(item.get("status", {}).get("S"))
