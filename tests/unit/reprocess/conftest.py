"""moto-backed stores for reprocess tests: the template's two tables, the page bucket and the queue,
wrapped in the `Services` a ReprocessBatch invocation uses, with a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from reprocess_world import REGION, Clock, World

from eventframework.pipeline import Services, Settings
from eventframework.reprocess import ClaimStore


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
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
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="pages")
        queue_url = boto3.client("sqs", region_name=REGION).create_queue(QueueName="mozdef")["QueueUrl"]
        clock = Clock()
        settings = Settings("state", "deadletters", "pages", queue_url)
        services = Services.build(settings, session=boto3.session.Session(region_name=REGION), clock=clock)
        yield World(services, ClaimStore("state", services.dynamodb, clock=clock), clock, "mozdef")
