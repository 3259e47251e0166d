"""The metrics of the pull functions: their names, units and how each step's result becomes them.

Handlers turn a step's result into `Measurement`s here and hand them to Powertools Metrics (CloudWatch
EMF, one document per invocation, dimensions `service` and `source`). The template's alarms and
dashboards name the same `MetricName`s, so a renamed metric breaks a test rather than an alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

DIMENSION_SERVICE = "service"
DIMENSION_SOURCE = "source"
# The `service` dimension's value, set explicitly on Metrics so the alarms' dimensions never depend
# on an environment variable (Powertools would otherwise add it only when POWERTOOLS_SERVICE_NAME is set).
SERVICE = "eventframework"


class MetricName(StrEnum):
    RUNS_STARTED = "RunsStarted"
    RUNS_SKIPPED_LEASE_HELD = "RunsSkippedLeaseHeld"
    PAGES = "Pages"
    EVENTS_FETCHED = "EventsFetched"
    API_LATENCY = "ApiLatency"
    RATE_LIMITED = "RateLimited"
    RATE_LIMIT_WAIT_SECONDS = "RateLimitWaitSeconds"
    PAGES_PROCESSED = "PagesProcessed"
    EVENTS_PUBLISHED = "EventsPublished"
    EVENTS_DEAD_LETTERED = "EventsDeadLettered"
    DUPLICATES_DROPPED = "DuplicatesDropped"
    LAG_SECONDS = "LagSeconds"


class Unit(StrEnum):
    """The CloudWatch units used here (the values Powertools' MetricUnit takes)."""

    COUNT = "Count"
    SECONDS = "Seconds"
    MILLISECONDS = "Milliseconds"


@dataclass(frozen=True)
class Measurement:
    name: MetricName
    unit: Unit
    value: float


def _count(name: MetricName, value: float) -> Measurement:
    return Measurement(name, Unit.COUNT, value)


def lag_seconds(newest_event_time: str | None, now: float) -> float | None:
    """Now minus the newest delivered event's own time, in seconds (never negative); None if unknown.

    Clock skew between the source and us can put an event slightly in the future; that is no lag.
    """
    if not newest_event_time:
        return None
    moment = datetime.fromisoformat(newest_event_time.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return None
    return max(0.0, now - moment.timestamp())


def begin_measurements(acquired: bool) -> list[Measurement]:
    return [_count(MetricName.RUNS_STARTED if acquired else MetricName.RUNS_SKIPPED_LEASE_HELD, 1)]


def fetch_measurements(result: Mapping[str, Any], latency_ms: float | None) -> list[Measurement]:
    """A stored page counts a page and its events; a 429 counts a rate-limit wait and its length.

    A page whose quota headers asked us to pause before the next request is a rate-limit wait too:
    both slow a backfill down, and an operator wants to see either. A fetch that held back (`skipped`:
    the page before said the pull stops or pauses) called nothing: it counts zero pages (sums are
    unchanged, and Powertools' warning about an empty flush stays meaningful), and no wait, which the
    page before counted already.
    """
    if "skipped" in result:
        return [_count(MetricName.PAGES, 0)]
    measurements: list[Measurement] = []
    if latency_ms is not None:
        measurements.append(Measurement(MetricName.API_LATENCY, Unit.MILLISECONDS, latency_ms))
    page = result.get("page")
    if isinstance(page, Mapping):
        measurements += [_count(MetricName.PAGES, 1), _count(MetricName.EVENTS_FETCHED, page["count"])]
        wait = page.get("wait_seconds") or 0
    else:
        wait = result.get("wait_seconds") or 0
    if wait or result.get("rate_limited"):
        measurements += [
            _count(MetricName.RATE_LIMITED, 1),
            Measurement(MetricName.RATE_LIMIT_WAIT_SECONDS, Unit.SECONDS, float(wait)),
        ]
    return measurements


def process_measurements(
    outcome: Mapping[str, Any], now: float, *, backfill: bool = False
) -> list[Measurement]:
    """Counts of one processed page, its heartbeat (`PagesProcessed`) and the lag when events came.

    A backfill's page has no lag: its events are old by design, and a lag from them would fire the
    source's freshness alarm while the live pull is current."""
    measurements = [
        _count(MetricName.PAGES_PROCESSED, 1),
        _count(MetricName.EVENTS_PUBLISHED, outcome["published"]),
        _count(MetricName.EVENTS_DEAD_LETTERED, outcome["dead_lettered"]),
        _count(MetricName.DUPLICATES_DROPPED, outcome["duplicates"]),
    ]
    lag = (
        lag_seconds(outcome.get("newest_event_time"), now) if outcome["published"] and not backfill else None
    )
    if lag is not None:
        measurements.append(Measurement(MetricName.LAG_SECONDS, Unit.SECONDS, round(lag, 3)))
    return measurements
