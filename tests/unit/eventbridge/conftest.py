"""An EventBridge world on moto: the template's stores (tests.support.aws) and the real Lambda
handler wired to them through the environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.aws import AwsResources, moto_stores
from tests.support.lambda_context import lambda_context

from eventframework.handlers import _runtime, eventbridge


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    with moto_stores() as resources:
        monkeypatch.setenv("EFW_STATE_TABLE", resources.state_table)
        monkeypatch.setenv("EFW_DEADLETTER_TABLE", resources.deadletter_table)
        monkeypatch.setenv("EFW_PAGE_BUCKET", resources.page_bucket)
        monkeypatch.setenv("EFW_QUEUE_URL", resources.queue_url)
        _runtime.cold_start()
        eventbridge.ingestor.cache_clear()
        yield resources
        _runtime.cold_start()
        eventbridge.ingestor.cache_clear()


@pytest.fixture
def invoke(aws: AwsResources) -> Any:
    """Call the deployed handler as EventBridge would: one event, a Lambda context."""
    return lambda event: eventbridge.lambda_handler(
        event, lambda_context("GuardDutyFunction", memory_mb=512, timeout_seconds=60)
    )
