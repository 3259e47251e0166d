"""Leases that no execution will ever release, because the process that ran it is gone.

In AWS an execution outlives any Lambda that crashes under it, so a lease is always released by its
execution, or expires. Locally the execution lives in the `efw` process: one killed, or stopped
with Ctrl-C, leaves its lease in the state table for up to the lease's length, and every run in
that time would skip the source. The state directory lock (state_lock.py) proves no other process
is running, so a lease whose owner has no record, or whose record ended ABORTED, is abandoned and
released (conditionally on the same owner). A lease held by a FAILED execution is kept: redrive
resumes that execution, and `efw status` says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from eventframework.state.checkpoint import is_run_record

# Statuses whose execution can never release its lease (None: no record, it died with its process).
ABANDONING = frozenset({None, "ABORTED", "RUNNING"})


@dataclass(frozen=True)
class AbandonedLease:
    """A lease released because its owner cannot run on; `status` is the owner's (None: no record)."""

    source: str
    owner: str
    status: str | None
    taken_at: int | None

    def describe(self) -> str:
        when = (
            f" since {datetime.fromtimestamp(self.taken_at, UTC):%Y-%m-%d %H:%M:%S} UTC"
            if self.taken_at
            else ""
        )
        how = "was stopped" if self.status == "ABORTED" else "was interrupted (its process ended)"
        return f"the run of {self.source} by execution {self.owner}{when} {how}; its lease is released"


def _live_leases(dynamodb: Any, table: str, now: float) -> Iterator[dict[str, Any]]:
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page.get("Items", []):
            if not is_run_record(item.get("sk", {}).get("S", "")) or "lease_owner" not in item:
                continue
            if int(item.get("lease_expires_at", {}).get("N", "0")) >= now:
                yield item


def release_abandoned_leases(
    dynamodb: Any, table: str, status_of: Callable[[str], str | None], *, now: float | None = None
) -> list[AbandonedLease]:
    """Release every live lease whose owning execution (by name) `status_of` says cannot run on."""
    released: list[AbandonedLease] = []
    for item in _live_leases(dynamodb, table, time.time() if now is None else now):
        owner = item["lease_owner"]["S"]
        status = status_of(owner)
        if status not in ABANDONING:
            continue
        try:
            dynamodb.update_item(
                TableName=table,
                Key={"source": item["source"], "sk": item["sk"]},
                UpdateExpression="SET lease_expires_at = :expired",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues={":expired": {"N": "0"}, ":owner": {"S": owner}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            continue
        taken = item.get("lease_taken_at", {}).get("N")
        released.append(AbandonedLease(item["source"]["S"], owner, status, int(taken) if taken else None))
    return released
