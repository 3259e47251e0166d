"""Reprocess claims: the idempotency record that keeps two reprocess runs from publishing one event twice.

One item per dead letter being reprocessed, in the state table (pk `source`, sk
`reprocess#<event_key>`). A run publishes an event only after a conditional write made it the claim's
owner; once the event is on the queue the claim is marked `published` and kept for
`PUBLISHED_TTL_SECONDS`, so the same event dead-lettered again (a re-read page, a stale run) is
recognised and its dead letter removed without a second publish. A claim whose owner crashed before
publishing expires after `CLAIM_SECONDS` and can then be taken by another run; nothing is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from eventframework.state.aws import is_conditional_failure, translate, translated
from eventframework.state.deadletters import DeadLetterStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CLAIM_PREFIX = "reprocess#"
# Longer than one ReprocessBatch invocation can take (the function's timeout is 120 s).
CLAIM_SECONDS = 900
# A published claim outlives any plausible re-read of the same event (the ledger's item TTL).
PUBLISHED_TTL_SECONDS = 30 * 86400


class ClaimOutcome(StrEnum):
    """What `claim` found: ours to publish, already published, or held by another live run."""

    CLAIMED = "claimed"
    PUBLISHED = "published"
    HELD = "held"


class ClaimStore:
    """Claim, confirm and release reprocess claims of one state table."""

    def __init__(
        self, table_name: str, client: DynamoDBClient, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._clock = clock

    @staticmethod
    def _key(source: str, event_key: str) -> dict[str, Any]:
        return {"source": {"S": source}, "sk": {"S": f"{CLAIM_PREFIX}{event_key}"}}

    def claim(self, source: str, event_key: str, owner: str) -> ClaimOutcome:
        """Take the claim unless it is published or held by another run whose claim has not expired."""
        now = int(self._clock())
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(source, event_key),
                    "claim_state": {"S": ClaimOutcome.CLAIMED.value},
                    "owner": {"S": owner},
                    "claim_expires_at": {"N": str(now + CLAIM_SECONDS)},
                    "expires_at": {"N": str(now + PUBLISHED_TTL_SECONDS)},
                },
                ConditionExpression=(
                    "attribute_not_exists(sk) OR (claim_state = :claimed AND "
                    "(#owner = :owner OR claim_expires_at < :now))"
                ),
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={
                    ":claimed": {"S": ClaimOutcome.CLAIMED.value},
                    ":owner": {"S": owner},
                    ":now": {"N": str(now)},
                },
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise translate(error, self.table_name, "claim dead letter") from error
            return self._current(source, event_key)
        return ClaimOutcome.CLAIMED

    def _current(self, source: str, event_key: str) -> ClaimOutcome:
        with translated(self.table_name, "read reprocess claim"):
            item = self._client.get_item(
                TableName=self.table_name, Key=self._key(source, event_key), ConsistentRead=True
            ).get("Item", {})
        state = item.get("claim_state", {}).get("S")
        return ClaimOutcome.PUBLISHED if state == ClaimOutcome.PUBLISHED.value else ClaimOutcome.HELD

    def confirm(self, source: str, event_key: str, owner: str, deadletters: DeadLetterStore) -> None:
        """The event is on the queue: mark its claim published and delete its dead letter, atomically.

        One transaction, so no state exists in which the dead letter is gone but the claim does not
        say published (or the reverse), and it costs one request per event instead of two.
        """
        now = int(self._clock())
        claim: dict[str, Any] = {
            **self._key(source, event_key),
            "claim_state": {"S": ClaimOutcome.PUBLISHED.value},
            "owner": {"S": owner},
            "published_at": {"N": str(now)},
            "expires_at": {"N": str(now + PUBLISHED_TTL_SECONDS)},
        }
        letter = {"source": {"S": source}, "event_key": {"S": event_key}}
        with translated(self.table_name, "confirm reprocessed event"):
            self._client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table_name, "Item": claim}},
                    {"Delete": {"TableName": deadletters.table_name, "Key": letter}},
                ]
            )

    def release(self, source: str, event_key: str, owner: str) -> None:
        """Give up a claim we hold (the event still fails, or its publish failed)."""
        try:
            self._client.delete_item(
                TableName=self.table_name,
                Key=self._key(source, event_key),
                ConditionExpression="claim_state = :claimed AND #owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={
                    ":claimed": {"S": ClaimOutcome.CLAIMED.value},
                    ":owner": {"S": owner},
                },
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise translate(error, self.table_name, "release reprocess claim") from error
