"""A webhook world on moto: the template's state and dead-letter tables and MozDef queue (the
shared `tests.support.aws` stores), an ingestor wired to them with a fake clock and in-memory secrets,
and helpers to sign and send requests the way each vendor does."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest
from tests.support.aws import AwsResources, FakeClock, moto_stores
from tests.unit.webhooks.webhook_world import (
    GITHUB_SECRET,
    ZOOM_SECRET,
    WebhookWorld,
)

from eventframework.publish import SqsPublisher
from eventframework.webhooks import (
    DeliveryStore,
    WebhookIngestor,
    WebhookResponse,
    WebhookServices,
)


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
