"""A webhook world on moto: the template's state and dead-letter tables and MozDef queue (the
integration tier's `aws` fixture), an ingestor wired to them with a fake clock and in-memory secrets,
and helpers to sign and send requests the way each vendor does."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

from eventframework.definitions import SourceDefinition, load_source
from eventframework.publish import SqsPublisher
from eventframework.state import DeadLetterStore
from eventframework.state.deadletters import DeadLetter
from eventframework.webhooks import (
    DeliveryStore,
    WebhookIngestor,
    WebhookRequest,
    WebhookResponse,
    WebhookServices,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GITHUB_SECRET = "gh-webhook-secret-ünïcode"
ZOOM_SECRET = "zoom-secret-token"


def fixture_bytes(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def github_headers(secret: str, body: bytes, delivery: str, event: str = "push") -> dict[str, str]:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={digest}",
    }


def zoom_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    message = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": str(timestamp), "x-zm-signature": f"v0={digest}"}


REGION = "us-east-1"
QUEUE_NAME = "mozdef-events"


class FakeClock:
    """Epoch seconds that tests move by hand instead of sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class AwsResources:
    dynamodb: Any
    sqs: Any
    state_table: str
    deadletter_table: str
    queue_url: str

    def reset(self) -> None:
        for table, sort_key in ((self.state_table, "sk"), (self.deadletter_table, "event_key")):
            for item in self.dynamodb.scan(TableName=table)["Items"]:
                key = {"source": item["source"], sort_key: item[sort_key]}
                self.dynamodb.delete_item(TableName=table, Key=key)
        self.sqs.create_queue(QueueName=QUEUE_NAME)  # a test may have deleted it
        self.queue_bodies()

    def queue_bodies(self) -> list[str]:
        """Take every message off the queue (from moto's memory: its ReceiveMessage is quadratic)."""
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues[self.queue_url.rsplit("/", 1)[-1]]
        bodies = [message.body for message in queue._messages]
        queue._messages.clear()
        return bodies


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def aws_module() -> Iterator[AwsResources]:
    """One moto backend per test module (starting moto and creating tables dominates a test's cost)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (
            ("AWS_DEFAULT_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", "t"),
            ("AWS_SECRET_ACCESS_KEY", "t"),
        ):
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            dynamodb = boto3.client("dynamodb", region_name=REGION)
            for table, sort_key in (("state", "sk"), ("deadletters", "event_key")):
                dynamodb.create_table(
                    TableName=table,
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
            sqs = boto3.client("sqs", region_name=REGION)
            queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
            yield AwsResources(dynamodb, sqs, "state", "deadletters", queue_url)


@pytest.fixture
def aws(aws_module: AwsResources) -> AwsResources:
    """The module's backend, emptied: every test starts with empty tables and an empty queue."""
    aws_module.reset()
    return aws_module


@dataclass
class WebhookWorld:
    aws: AwsResources
    clock: FakeClock
    secrets: dict[str, dict[str, str]]
    definitions: dict[str, SourceDefinition] = field(default_factory=dict)
    ingestor: WebhookIngestor | None = None

    def load(self, source: str) -> SourceDefinition:
        return self.definitions[source] if source in self.definitions else load_source(source)

    def send(
        self, source: str, body: bytes, headers: Mapping[str, str], method: str = "POST"
    ) -> WebhookResponse:
        assert self.ingestor is not None
        request = WebhookRequest.build(source, method, body, self.clock(), headers)
        return self.ingestor.handle(request)

    def github(
        self, body: bytes, delivery: str = "d-1", event: str = "push", secret: str = GITHUB_SECRET
    ) -> WebhookResponse:
        return self.send("github-webhook", body, github_headers(secret, body, delivery, event))

    def zoom(self, body: bytes, *, age: int = 0, secret: str = ZOOM_SECRET) -> WebhookResponse:
        return self.send("zoom-webhook", body, zoom_headers(secret, body, int(self.clock()) - age))

    def published(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.aws.queue_bodies()]

    def dead_letters(self, source: str) -> list[DeadLetter]:
        return list(self.deadletter_store.list(source))

    @property
    def deadletter_store(self) -> DeadLetterStore:
        return DeadLetterStore(self.aws.deadletter_table, self.aws.dynamodb, clock=self.clock)


@pytest.fixture
def world(aws: AwsResources, clock: FakeClock) -> WebhookWorld:
    secrets = {
        "github-webhook": {"webhook_secret": GITHUB_SECRET},
        "zoom-webhook": {"webhook_secret": ZOOM_SECRET},
    }
    built = WebhookWorld(aws=aws, clock=clock, secrets=secrets)

    def secret_of(source: str) -> Mapping[str, str]:
        return built.secrets.get(source, {})

    services = WebhookServices(
        deliveries=DeliveryStore(aws.state_table, aws.dynamodb, clock=clock),
        deadletters=built.deadletter_store,
        publisher=SqsPublisher(aws.queue_url, aws.sqs, sleep=lambda seconds: None),
        load=built.load,
        secrets=secret_of,
        clock=clock,
    )
    built.ingestor = WebhookIngestor(services)
    return built


Sender = Callable[..., WebhookResponse]
