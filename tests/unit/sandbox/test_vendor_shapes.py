"""The sandbox serves events the way vendors send them: optional fields sometimes absent, fields the
definition never heard of sometimes present; the id, time and cursor fields always there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventframework.definitions import load_source
from eventframework.local.sandbox import SOURCES, Sandbox
from eventframework.local.sandbox.vendor_shapes import ADDED_FIELD, required_fields
from eventframework.process import process_records

COUNT = 40


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_sandbox_events_vary_as_vendors_do_and_still_publish(source: str) -> None:
    sandbox = Sandbox(
        events={source: COUNT},
        seed=9,
        start_time=datetime(2024, 8, 14, tzinfo=UTC),
        interval=timedelta(seconds=5),
    )
    events = sandbox.events(source)
    complete = {key for event in events for key in event} - {ADDED_FIELD}
    with_added = [event for event in events if ADDED_FIELD in event]
    missing_one = [event for event in events if len(complete - set(event)) == 1]
    assert len(with_added) >= COUNT // 7 and len(missing_one) >= COUNT // 11
    assert len({frozenset(complete - set(event)) for event in missing_one}) > 1, "a different field each time"
    assert all(required_fields(source) <= set(event) for event in events)
    result = process_records(load_source(source), events, set())
    assert result.dead == [] and len(result.events) == COUNT
