"""Shared moto fixtures: the state and dead-letter tables, the page bucket and the MozDef queue,
created as the template creates them (keys, TTL), in-process with `moto.mock_aws`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

REGION = "us-east-1"


class FakeClock:
    """An injectable clock (epoch seconds) that tests move by hand instead of sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class AwsResources:
    dynamodb: Any
    s3: Any
    sqs: Any
    state_table: str
    deadletter_table: str
    page_bucket: str
    queue_url: str

    def queue_bodies(self) -> list[str]:
        """Drain the queue: every message body on it, oldest first.

        Read from moto's in-memory queue rather than through ReceiveMessage, whose moto
        implementation re-reads every message's attributes per message received (quadratic: minutes
        for a few thousand events). Messages are removed, like a consumer deleting what it read.
        """
        name = self.queue_url.rsplit("/", 1)[-1]
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues[name]
        bodies = [message.body for message in queue._messages]
        queue._messages.clear()
        return bodies


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        for name, sort_key in (("state", "sk"), ("deadletters", "event_key")):
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
        s3.create_bucket(Bucket="pages")
        queue_url = sqs.create_queue(QueueName="mozdef-events")["QueueUrl"]
        yield AwsResources(dynamodb, s3, sqs, "state", "deadletters", "pages", queue_url)
