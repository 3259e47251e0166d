"""A webhook world on moto: the template's state and dead-letter tables and MozDef queue (the
shared `tests.support.aws` stores), an ingestor wired to them with a fake clock and in-memory secrets,
and helpers to sign and send requests the way each vendor does."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.support.aws import AwsResources, FakeClock, moto_stores

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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def aws_module() -> Iterator[AwsResources]:
    """One moto backend per test module (starting moto and creating tables dominates a test's cost)."""
    with moto_stores(page_bucket="") as resources:
        yield resources


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
