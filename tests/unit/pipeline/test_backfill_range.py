"""The backfill range rules: parsing, keys, the vendor's retention, and the clip at the live pull's
coverage that keeps a backfill and the live pull from delivering the same event."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from eventframework.definitions import load_source
from eventframework.definitions.model import CursorType, FirstRequest
from eventframework.fetch.cursors import coverage_start
from eventframework.pipeline.backfill import BackfillRange, BackfillRangeError, check_request, clip
from eventframework.pipeline.errors import RunRequestError
from eventframework.state import Checkpoint

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
OKTA = load_source("okta-system-log")


def _range(since: datetime, until: datetime) -> BackfillRange:
    return BackfillRange.parse("BeginRun", {"since": since.isoformat(), "until": until.isoformat()})


def _live(since: str | None, cursor: str | None = None) -> Checkpoint:
    return Checkpoint("okta-system-log", cursor, None, 0, None, None, None, live_since=since)


def test_backfill_range_key_round_trips_through_its_dict() -> None:
    requested = _range(NOW - timedelta(days=7), NOW - timedelta(days=1, microseconds=1500))
    again = BackfillRange.parse("FetchPage", requested.to_dict())
    assert again == requested
    assert requested.key == "backfill#2026-11-26T12:00:00.000Z#2026-12-02T11:59:59.998Z"
    assert requested.ledger_key == "ledger#" + requested.key


def test_backfill_range_is_half_open() -> None:
    requested = _range(NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    assert requested.contains(requested.since)
    assert not requested.contains(requested.until)
    assert requested.contains(requested.until - timedelta(milliseconds=1))


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ({"since": "2026-12-02T00:00:00Z"}, "until"),
        ({"since": "yesterday", "until": "2026-12-02T00:00:00Z"}, "backfill.since"),
        ({"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, "backfill"),
        ("2026-12-01", "backfill"),
    ],
)
def test_backfill_range_bad_input_names_the_key(value: object, key: str) -> None:
    with pytest.raises(RunRequestError) as raised:
        BackfillRange.parse("BeginRun", value)
    assert key in str(raised.value)


def test_check_request_refuses_a_range_past_the_vendors_retention_with_its_reference() -> None:
    # Okta purges the System Log after 90 days (the definition cites the page).
    with pytest.raises(BackfillRangeError) as raised:
        check_request(OKTA, _range(NOW - timedelta(days=91), NOW - timedelta(days=80)), NOW)
    message = str(raised.value)
    assert "90 days" in message and str(OKTA.backfill.retention_reference) in message
    assert "2026-09-04T12:00:00.000Z" in message  # the earliest start it would accept
    check_request(OKTA, _range(NOW - timedelta(days=89), NOW - timedelta(days=80)), NOW)


def test_check_request_refuses_a_range_in_the_future_and_a_push_only_source() -> None:
    with pytest.raises(BackfillRangeError, match="in the future"):
        check_request(OKTA, _range(NOW - timedelta(days=1), NOW + timedelta(minutes=5)), NOW)
    with pytest.raises(BackfillRangeError, match="only pushes"):
        check_request(load_source("github-webhook"), _range(NOW - timedelta(days=1), NOW), NOW)


def test_clip_ends_the_range_where_the_live_pull_began() -> None:
    live_since = (NOW - timedelta(hours=1)).isoformat()
    clipped = clip(OKTA, _range(NOW - timedelta(days=7), NOW), _live(live_since))
    assert clipped.range is not None
    assert clipped.range.since == NOW - timedelta(days=7)
    assert clipped.range.until == NOW - timedelta(hours=1)  # Okta has no lag and an exact start


def test_clip_keeps_a_range_that_ends_before_the_live_pull() -> None:
    requested = _range(NOW - timedelta(days=7), NOW - timedelta(days=6))
    assert clip(OKTA, requested, _live((NOW - timedelta(hours=1)).isoformat())).range == requested


def test_clip_of_a_range_inside_the_live_pull_leaves_nothing_and_says_why() -> None:
    clipped = clip(
        OKTA, _range(NOW - timedelta(minutes=30), NOW), _live((NOW - timedelta(hours=1)).isoformat())
    )
    assert clipped.range is None
    assert clipped.reason is not None and "inside what the live pull covers" in clipped.reason


def test_clip_refuses_when_the_live_pull_never_started_or_its_start_is_unknown() -> None:
    requested = _range(NOW - timedelta(days=7), NOW)
    with pytest.raises(BackfillRangeError, match="has not started yet"):
        clip(OKTA, requested, None)
    with pytest.raises(BackfillRangeError, match="live_since"):
        clip(OKTA, requested, _live(None, cursor="https://example.okta.com/api/v1/logs?after=1"))


def test_coverage_start_takes_off_the_lag_and_floors_to_the_start_format() -> None:
    since = "2026-12-03T10:30:15.250000+00:00"
    # The lag applies to timestamp cursors (a window re-reads it for late events).
    lagged = dataclasses.replace(OKTA.cursor, type=CursorType.TIMESTAMP, lag_seconds=120)
    assert coverage_start(dataclasses.replace(OKTA, cursor=lagged), since) == datetime(
        2026, 12, 3, 10, 28, 15, 250000, tzinfo=UTC
    )
    # A date-only start (Zoom's `from=yyyy-mm-dd`) asks from midnight: the backfill ends there.
    dated = dataclasses.replace(
        OKTA.cursor, first_request=FirstRequest(params={"from": "{start_time:%Y-%m-%d}"})
    )
    assert coverage_start(dataclasses.replace(OKTA, cursor=dated), since) == datetime(2026, 12, 3, tzinfo=UTC)


def test_backfill_range_is_read_back_from_its_key() -> None:
    requested = _range(NOW - timedelta(days=7), NOW - timedelta(days=1))
    assert BackfillRange.from_key(requested.key) == requested
