"""moto-backed stores for reprocess tests: the template's two tables, the page bucket and the queue,
wrapped in the `Services` a ReprocessBatch invocation uses, with a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from reprocess_world import World
from tests.support.aws import REGION, FakeClock, moto_stores

from eventframework.pipeline import Services, Settings
from eventframework.reprocess import ClaimStore


@pytest.fixture
def world() -> Iterator[World]:
    with moto_stores(queue_name="mozdef") as aws:
        clock = FakeClock(1_800_000_000.0)
        settings = Settings(aws.state_table, aws.deadletter_table, aws.page_bucket, aws.queue_url)
        services = Services.build(settings, session=boto3.session.Session(region_name=REGION), clock=clock)
        yield World(services, ClaimStore(aws.state_table, services.dynamodb, clock=clock), clock, "mozdef")
