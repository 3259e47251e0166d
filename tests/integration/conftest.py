"""Integration fixtures: a fresh clock and, per test, the template's stores on moto (the state and
dead-letter tables, the page bucket and the MozDef queue) from the shared `tests.support.aws`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventframework.handlers import _runtime
from tests.support.aws import AwsResources, FakeClock, moto_stores


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def aws() -> Iterator[AwsResources]:
    with moto_stores() as resources:
        yield resources


@pytest.fixture
def pipeline(aws: AwsResources, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    """The stores named in the handlers' environment, with the handlers' cached services dropped
    before and after so each test's handlers see this test's moto backend."""
    for name, value in {
        "EFW_STATE_TABLE": aws.state_table,
        "EFW_DEADLETTER_TABLE": aws.deadletter_table,
        "EFW_PAGE_BUCKET": aws.page_bucket,
        "EFW_QUEUE_URL": aws.queue_url,
    }.items():
        monkeypatch.setenv(name, value)
    _runtime.services.cache_clear()
    yield aws
    _runtime.services.cache_clear()
