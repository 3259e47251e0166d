"""Fuzz: a pulled page bent every hostile way (tests.support.hostile) through ProcessPage on moto
ends as a MalformedPageError naming the problem, or with every record published, dead-lettered with
a reason (kept whole, however deep or large) or counted as a duplicate. Never another exception."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings

from eventframework.fetch.errors import MalformedPageError
from eventframework.pipeline import Services, Settings
from eventframework.pipeline.processing import ProcessRequest, process_step
from eventframework.state import PageRef, PageStore
from eventframework.state.deadletters import MAX_INLINE_RAW_BYTES
from tests.support.aws import REGION, AwsResources, FakeClock, moto_stores
from tests.support.hostile import hostile_pages

SOURCE = "okta-system-log"
BASE: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / SOURCE / "page.json").read_text()
)


@pytest.fixture(scope="module")
def aws_module() -> Iterator[AwsResources]:
    with moto_stores() as resources:
        yield resources


def _services(aws: AwsResources) -> Services:
    settings_ = Settings(aws.state_table, aws.deadletter_table, aws.page_bucket, aws.queue_url)
    return Services.build(settings_, session=boto3.session.Session(region_name=REGION), clock=FakeClock())


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} is not JSON; MozDef cannot read it")

    return json.loads(text, parse_constant=refuse)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(body=hostile_pages(BASE, MAX_INLINE_RAW_BYTES))
def test_fuzz_hostile_page_is_malformed_or_fully_accounted(aws_module: AwsResources, body: bytes) -> None:
    aws_module.reset()
    services = _services(aws_module)
    ref = PageStore(aws_module.page_bucket, aws_module.s3).put(SOURCE, "fuzz", 1, body)
    request = ProcessRequest(SOURCE, "fuzz", PageRef(ref.bucket, ref.key), "run-fuzz")
    try:
        outcome = process_step(request, services)
    except MalformedPageError as error:
        assert error.reason and SOURCE in str(error)
        return
    assert outcome.fetched == outcome.published + outcome.dead_lettered + outcome.duplicates
    published = [_strict(text) for text in aws_module.queue_bodies()]
    assert len(published) == outcome.published
    letters = list(services.deadletters.list(SOURCE))
    assert bool(letters) == bool(outcome.dead_lettered)
    for letter in letters:
        assert letter.error_kind and letter.message
        assert services.deadletters.load_raw(letter)  # kept whole: inline or in the page bucket
