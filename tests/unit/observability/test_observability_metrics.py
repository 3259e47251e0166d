"""Step results into metrics: names, units and values; lag from the newest event's own time."""

from __future__ import annotations

from eventframework.observability import (
    Measurement,
    MetricName,
    begin_measurements,
    fetch_measurements,
    lag_seconds,
    process_measurements,
)
from eventframework.observability.metrics import Unit

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def _by_name(measurements: list[Measurement]) -> dict[MetricName, tuple[Unit, float]]:
    return {measurement.name: (measurement.unit, measurement.value) for measurement in measurements}


def test_metrics_lag_is_now_minus_the_event_time() -> None:
    assert lag_seconds("2023-11-14T22:12:20+00:00", NOW) == 60
    assert lag_seconds("2023-11-14T22:12:20Z", NOW) == 60


def test_metrics_lag_is_unknown_without_a_time_and_never_negative() -> None:
    assert lag_seconds(None, NOW) is None
    assert lag_seconds("2023-11-14T22:12:20", NOW) is None, "no offset: cannot tell"
    assert lag_seconds("2023-11-14T22:14:20+00:00", NOW) == 0, "source clock ahead of ours"


def test_metrics_begin_counts_a_started_or_skipped_run() -> None:
    assert _by_name(begin_measurements(True)) == {MetricName.RUNS_STARTED: (Unit.COUNT, 1)}
    assert _by_name(begin_measurements(False)) == {MetricName.RUNS_SKIPPED_LEASE_HELD: (Unit.COUNT, 1)}


def test_metrics_fetch_of_a_page_counts_page_events_and_latency() -> None:
    result = {"page": {"count": 42, "wait_seconds": 0}}
    assert _by_name(fetch_measurements(result, 12.5)) == {
        MetricName.API_LATENCY: (Unit.MILLISECONDS, 12.5),
        MetricName.PAGES: (Unit.COUNT, 1),
        MetricName.EVENTS_FETCHED: (Unit.COUNT, 42),
    }


def test_metrics_fetch_rate_limited_counts_the_wait() -> None:
    assert _by_name(fetch_measurements({"rate_limited": True, "wait_seconds": 30}, 3.0)) == {
        MetricName.API_LATENCY: (Unit.MILLISECONDS, 3.0),
        MetricName.RATE_LIMITED: (Unit.COUNT, 1),
        MetricName.RATE_LIMIT_WAIT_SECONDS: (Unit.SECONDS, 30),
    }


def test_metrics_fetch_page_with_a_pacing_wait_counts_as_a_rate_limit_wait() -> None:
    measured = _by_name(fetch_measurements({"page": {"count": 5, "wait_seconds": 4}}, None))
    assert MetricName.API_LATENCY not in measured
    assert measured[MetricName.RATE_LIMIT_WAIT_SECONDS] == (Unit.SECONDS, 4)


def test_metrics_process_counts_and_lag_when_events_were_published() -> None:
    outcome = {
        "published": 8,
        "dead_lettered": 2,
        "duplicates": 1,
        "newest_event_time": "2023-11-14T22:03:20Z",
    }
    assert _by_name(process_measurements(outcome, NOW)) == {
        MetricName.PAGES_PROCESSED: (Unit.COUNT, 1),
        MetricName.EVENTS_PUBLISHED: (Unit.COUNT, 8),
        MetricName.EVENTS_DEAD_LETTERED: (Unit.COUNT, 2),
        MetricName.DUPLICATES_DROPPED: (Unit.COUNT, 1),
        MetricName.LAG_SECONDS: (Unit.SECONDS, 600),
    }


def test_metrics_process_without_published_events_reports_no_lag() -> None:
    outcome = {
        "published": 0,
        "dead_lettered": 3,
        "duplicates": 0,
        "newest_event_time": "2023-11-14T22:03:20Z",
    }
    assert MetricName.LAG_SECONDS not in _by_name(process_measurements(outcome, NOW))


def test_metrics_fetch_that_held_back_counts_zero_pages_and_not_the_wait_again() -> None:
    """The page before counted its pacing wait; the fetch beside its processing only passed it on."""
    assert _by_name(fetch_measurements({"skipped": "pacing", "wait_seconds": 7}, None)) == {
        MetricName.PAGES: (Unit.COUNT, 0),
    }
