"""The checkpoint item of a source: its cursor, and the lease that keeps one run per source at a time.

Layout (state table, pk `source`, sk `checkpoint`): `cursor`, `lease_owner`, `lease_expires_at`
(epoch seconds), `updated_at`, `last_success_at`, `last_run_id`, and `live_since`: where the live
pull's first window started (fixed once, by its first run), which backfills are clipped at. A
backfill keeps the same attributes on its own item (sk `backfill#<since>#<until>`, see
eventframework.pipeline.backfill); every method takes that key as `sk`. The pull state machine
writes the cursor and releases the lease itself ("Save checkpoint" and "Release the lease": DynamoDB
UpdateItems conditioned on the lease owner), so this store only takes, checks and extends leases
and reads what was saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from eventframework.state.aws import is_conditional_failure, translate, translated
from eventframework.state.errors import LeaseLostError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CHECKPOINT_SK = "checkpoint"
BACKFILL_SK_PREFIX = "backfill#"  # then `<since>#<until>`: one record per backfill range


def is_run_record(sk: str) -> bool:
    """Whether an item of the state table holds a run's cursor and lease (live or backfill)."""
    return sk == CHECKPOINT_SK or sk.startswith(BACKFILL_SK_PREFIX)


DEFAULT_LEASE_SECONDS = 900

Clock = Callable[[], float]


@dataclass(frozen=True)
class Lease:
    owner: str
    expires_at: int
    taken_at: int | None = None  # when `owner` took it (epoch seconds); None on leases from before

    def to_dict(self) -> dict[str, Any]:
        held = {"owner": self.owner, "expires_at": self.expires_at}
        return held if self.taken_at is None else {**held, "taken_at": self.taken_at}


@dataclass(frozen=True)
class LeaseResult:
    """Outcome of `acquire`: `acquired` False means another run holds `lease` (not an error)."""

    acquired: bool
    lease: Lease
    cursor: str | None


@dataclass(frozen=True)
class Checkpoint:
    source: str
    cursor: str | None
    lease_owner: str | None
    lease_expires_at: int
    updated_at: str | None
    last_success_at: str | None
    last_run_id: str | None
    live_since: str | None = None


def _cursor(item: Mapping[str, Any]) -> str | None:
    # An empty string means "no position yet": DynamoDB string attributes cannot hold null, and
    # the state machine writes whatever FetchPage returned as the resume position.
    value = item.get("cursor", {}).get("S")
    return value or None


class CheckpointStore:
    """Leases and checkpoints in the state table. Plain class over a boto3 DynamoDB client."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        *,
        clock: Clock = time.time,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._clock = clock
        self.lease_seconds = lease_seconds

    def _key(self, source: str, sk: str = CHECKPOINT_SK) -> dict[str, Any]:
        return {"source": {"S": source}, "sk": {"S": sk}}

    def lease_expiry(self) -> int:
        """When a lease taken or extended now expires (epoch seconds)."""
        return int(self._clock()) + self.lease_seconds

    def acquire(
        self, source: str, owner: str, *, handed_over_from: str | None = None, sk: str = CHECKPOINT_SK
    ) -> LeaseResult:
        """Take the source's lease for `owner` unless another live run holds it.

        The lease is free when nobody ever held it, when it expired, or when `owner` already holds it
        (a retried BeginRun). `handed_over_from` lets a capped run pass its lease to the execution that
        continues it, without waiting for expiry.
        """
        now = int(self._clock())
        expires_at = now + self.lease_seconds
        values: dict[str, Any] = {
            ":owner": {"S": owner},
            ":expires": {"N": str(expires_at)},
            ":now": {"N": str(now)},
            ":previous": {"S": handed_over_from or owner},
        }
        try:
            response = self._client.update_item(
                TableName=self.table_name,
                Key=self._key(source, sk),
                UpdateExpression=(
                    "SET lease_owner = :owner, lease_expires_at = :expires, lease_taken_at = :now"
                ),
                ConditionExpression=(
                    "attribute_not_exists(lease_owner) OR lease_expires_at < :now "
                    "OR lease_owner IN (:owner, :previous)"
                ),
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise translate(error, self.table_name, "acquire lease") from error
            held: Mapping[str, Any] = error.response.get("Item", {})  # type: ignore[assignment]
            taken = held.get("lease_taken_at", {}).get("N")
            lease = Lease(
                owner=held.get("lease_owner", {}).get("S", ""),
                expires_at=int(held.get("lease_expires_at", {}).get("N", "0")),
                taken_at=int(taken) if taken is not None else None,
            )
            return LeaseResult(acquired=False, lease=lease, cursor=_cursor(held))
        item = response.get("Attributes", {})
        return LeaseResult(acquired=True, lease=Lease(owner, expires_at, now), cursor=_cursor(item))

    def read(self, source: str, sk: str = CHECKPOINT_SK) -> Checkpoint | None:
        with translated(self.table_name, "read checkpoint"):
            response = self._client.get_item(
                TableName=self.table_name, Key=self._key(source, sk), ConsistentRead=True
            )
        item = response.get("Item")
        if item is None:
            return None
        return Checkpoint(
            source=source,
            cursor=_cursor(item),
            lease_owner=item.get("lease_owner", {}).get("S"),
            lease_expires_at=int(item.get("lease_expires_at", {}).get("N", "0")),
            updated_at=item.get("updated_at", {}).get("S"),
            last_success_at=item.get("last_success_at", {}).get("S"),
            last_run_id=item.get("last_run_id", {}).get("S"),
            live_since=item.get("live_since", {}).get("S"),
        )

    def start_live(self, source: str, owner: str, since: str) -> str:
        """Fix where the live pull's first window starts, once: the stored start if one was fixed
        before (a first run that failed and was retried keeps its start), else ``since``. Only while
        ``owner`` holds the lease (else LeaseLostError)."""
        try:
            response = self._client.update_item(
                TableName=self.table_name,
                Key=self._key(source),
                UpdateExpression="SET live_since = if_not_exists(live_since, :since)",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues={":since": {"S": since}, ":owner": {"S": owner}},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_conditional_failure(error):
                raise LeaseLostError(self.table_name, source, owner) from error
            raise translate(error, self.table_name, "record the live start") from error
        return str(response["Attributes"]["live_since"]["S"])

    def require_lease(self, source: str, owner: str, sk: str = CHECKPOINT_SK) -> None:
        """Raise LeaseLostError unless ``owner`` still holds the source's lease (a consistent read).

        ProcessPage asks before publishing: a run redriven after another run took over (its lease
        expired) would otherwise publish a page that run has already delivered, once it is older
        than what the ledger keeps, and only fail at its checkpoint write, after publishing.
        """
        with translated(self.table_name, "read lease"):
            response = self._client.get_item(
                TableName=self.table_name,
                Key=self._key(source, sk),
                ConsistentRead=True,
                ProjectionExpression="lease_owner",
            )
        if response.get("Item", {}).get("lease_owner", {}).get("S") != owner:
            raise LeaseLostError(self.table_name, source, owner, before_publish=True)

    def extend_lease(self, source: str, *, owner: str, sk: str = CHECKPOINT_SK) -> Lease:
        """Keep the lease while a run waits out a rate limit (no cursor to save yet); only while
        ``owner`` holds it (else LeaseLostError)."""
        lease = Lease(owner, self.lease_expiry())
        expires = {":expires": {"N": str(lease.expires_at)}}
        self._conditional_update(source, owner, "SET lease_expires_at = :expires", expires, sk=sk)
        return lease

    def _conditional_update(
        self,
        source: str,
        owner: str,
        expression: str,
        values: dict[str, Any],
        *,
        sk: str = CHECKPOINT_SK,
    ) -> None:
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key=self._key(source, sk),
                UpdateExpression=expression,
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues={**values, ":owner": {"S": owner}},
            )
        except ClientError as error:
            if is_conditional_failure(error):
                raise LeaseLostError(self.table_name, source, owner) from error
            raise translate(error, self.table_name, "conditional checkpoint write") from error
