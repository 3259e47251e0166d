"""The template's stores on moto, built one way for every test tier.

The state and dead-letter tables (keys as template.yaml declares them), the page bucket and the MozDef
queue, created in-process under `moto.mock_aws` with the AWS environment pinned so a developer's
profile or endpoint never leaks into a test. Unit, integration and observability tests all start
from `moto_stores()` instead of each spelling out the same `create_table` calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

REGION = "us-east-1"
STATE_SORT_KEY = "sk"
DEADLETTER_SORT_KEY = "event_key"


class FakeClock:
    """An injectable clock (epoch seconds) that tests move by hand instead of sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def create_source_table(dynamodb: Any, name: str, sort_key: str) -> None:
    """A table keyed like the template's: `source` (hash) and `sort_key` (range), on demand."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "source", "KeyType": "HASH"},
            {"AttributeName": sort_key, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "source", "AttributeType": "S"},
            {"AttributeName": sort_key, "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def take_queue_bodies(queue_url: str) -> list[str]:
    """Drain a moto queue (by URL or bare name): every message body on it, oldest first, removed.

    Read from moto's in-memory queue rather than through ReceiveMessage, whose moto implementation
    re-reads every message's attributes per message received (quadratic: minutes for a few thousand
    events). Removing them is what a consumer deleting what it read would do.
    """
    queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues[queue_url.rsplit("/", 1)[-1]]
    bodies = [message.body for message in queue._messages]
    queue._messages.clear()
    return bodies


@dataclass
class AwsResources:
    """Clients and names of the stores `moto_stores` created (bucket and queue only if asked for)."""

    dynamodb: Any
    s3: Any
    sqs: Any
    state_table: str
    deadletter_table: str
    page_bucket: str
    queue_url: str

    def queue_bodies(self) -> list[str]:
        return take_queue_bodies(self.queue_url)

    def reset(self) -> None:
        """Empty the tables and the queue, so tests can share one (costly to start) moto backend."""
        for table, sort_key in (
            (self.state_table, STATE_SORT_KEY),
            (self.deadletter_table, DEADLETTER_SORT_KEY),
        ):
            for item in self.dynamodb.scan(TableName=table)["Items"]:
                key = {"source": item["source"], sort_key: item[sort_key]}
                self.dynamodb.delete_item(TableName=table, Key=key)
        if self.queue_url:
            # Recreate first: a test may have deleted the queue to provoke a publish failure.
            self.sqs.create_queue(QueueName=self.queue_url.rsplit("/", 1)[-1])
            self.queue_bodies()


@contextmanager
def moto_stores(
    *,
    state_table: str = "state",
    deadletter_table: str = "deadletters",
    page_bucket: str = "pages",
    queue_name: str = "mozdef-events",
) -> Iterator[AwsResources]:
    """The template's stores on a fresh moto backend; an empty bucket or queue name skips that store.

    The AWS variables are set (and AWS_ENDPOINT_URL removed) for the duration only, through a
    MonkeyPatch context, so a module-scoped fixture can use this as well as a per-test one.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(name, "testing")
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            dynamodb = boto3.client("dynamodb", region_name=REGION)
            s3 = boto3.client("s3", region_name=REGION)
            sqs = boto3.client("sqs", region_name=REGION)
            create_source_table(dynamodb, state_table, STATE_SORT_KEY)
            create_source_table(dynamodb, deadletter_table, DEADLETTER_SORT_KEY)
            if page_bucket:
                s3.create_bucket(Bucket=page_bucket)
            queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"] if queue_name else ""
            yield AwsResources(dynamodb, s3, sqs, state_table, deadletter_table, page_bucket, queue_url)
