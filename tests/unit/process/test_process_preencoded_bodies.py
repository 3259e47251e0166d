"""Each processed event carries its SQS body, encoded once while its size was checked."""

from __future__ import annotations

from typing import Any

from eventframework.definitions import load_source
from eventframework.local.sandbox.okta_events import OktaEventFactory
from eventframework.process import process_records
from eventframework.process.encoding import body_json


def _okta_records(count: int) -> list[dict[str, Any]]:
    factory = OktaEventFactory(3)
    return [factory(i, 1_700_000_000_000 + i * 1000) for i in range(count)]


def test_process_records_bodies_pair_with_events_and_equal_body_json() -> None:
    result = process_records(load_source("okta-system-log"), _okta_records(40), frozenset())
    assert len(result.events) == 40
    assert len(result.bodies) == len(result.events)
    for event, body in zip(result.events, result.bodies, strict=True):
        assert body is not None
        assert body.decode("utf-8") == body_json(event)


def test_process_records_bodies_leave_out_duplicates_and_dead_letters() -> None:
    records = _okta_records(5)
    records.append(dict(records[0]))  # a duplicate within the page
    records.append({"uuid": "broken"})  # fails the raw schema
    result = process_records(load_source("okta-system-log"), records, frozenset({records[1]["uuid"]}))
    assert (len(result.events), len(result.bodies), result.duplicates, len(result.dead)) == (4, 4, 2, 1)
