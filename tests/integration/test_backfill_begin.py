"""BeginRun for backfills, on moto: the live pull fixes its start once, a backfill takes the lease of
its own record (never the live one), and a range with nothing left to fill says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eventframework.definitions.times import rfc3339_millis
from eventframework.pipeline import BeginRequest, begin_run
from eventframework.pipeline.backfill import BackfillRangeError
from eventframework.state import CheckpointStore
from tests.support.asl_writes import release_lease
from tests.support.aws import AwsResources, FakeClock

SOURCE = "okta-system-log"


def _store(aws: AwsResources, clock: FakeClock) -> CheckpointStore:
    return CheckpointStore(aws.state_table, aws.dynamodb, clock=clock, lease_seconds=600)


def _begin(store: CheckpointStore, clock: FakeClock, execution: str, **run_input: Any) -> dict[str, Any]:
    event = {"input": {"source": SOURCE, **run_input}, "execution": execution}
    return begin_run(BeginRequest.from_event(event), store, clock=clock)


def _days_ago(clock: FakeClock, days: float) -> str:
    return rfc3339_millis(datetime.fromtimestamp(clock.now, UTC) - timedelta(days=days))


def test_begin_run_first_live_run_fixes_its_start_once(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    first = _begin(store, clock, "live-1")
    since = json.loads(first["cursor"])["since"]
    assert datetime.fromisoformat(since).timestamp() == clock.now - 3600  # Okta's initial lookback
    clock.advance(700)  # the first run failed and its lease expired; the next run asks the same window
    again = _begin(store, clock, "live-2")
    assert json.loads(again["cursor"])["since"] == since
    assert store.read(SOURCE).live_since == since  # type: ignore[union-attr]


def test_begin_run_backfill_takes_its_own_lease_beside_a_running_live_pull(
    aws: AwsResources, clock: FakeClock
) -> None:
    store = _store(aws, clock)
    live = _begin(store, clock, "live-1")
    backfill = _begin(
        store, clock, "fill-1", backfill={"since": _days_ago(clock, 7), "until": _days_ago(clock, 0)}
    )
    assert live["acquired"] and backfill["acquired"]
    assert backfill["checkpoint_key"].startswith("backfill#") and backfill["lease"]["owner"] == "fill-1"
    assert backfill["backfill"]["until"] == rfc3339_millis(
        datetime.fromisoformat(json.loads(live["cursor"])["since"])
    )
    assert json.loads(backfill["cursor"])["since"] == backfill["backfill"]["since"]
    checkpoint = store.read(SOURCE)
    assert checkpoint is not None and checkpoint.lease_owner == "live-1"  # the live lease is untouched
    rival = _begin(
        store, clock, "fill-2", backfill={"since": _days_ago(clock, 7), "until": _days_ago(clock, 0)}
    )
    assert rival["acquired"] is False and rival["lease"]["owner"] == "fill-1"


def test_begin_run_backfill_of_a_filled_range_has_nothing_to_do(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    _begin(store, clock, "live-1")
    asked = {"since": _days_ago(clock, 7), "until": _days_ago(clock, 6)}
    first = _begin(store, clock, "fill-1", backfill=asked)
    release_lease(aws.dynamodb, aws.state_table, SOURCE, owner="fill-1", sk=first["checkpoint_key"])
    again = _begin(store, clock, "fill-2", backfill=asked)
    assert again["acquired"] is False and "filled completely" in again["nothing_to_do"]


def test_begin_run_backfill_inside_the_live_coverage_has_nothing_to_do(
    aws: AwsResources, clock: FakeClock
) -> None:
    store = _store(aws, clock)
    _begin(store, clock, "live-1")
    result = _begin(
        store, clock, "fill-1", backfill={"since": _days_ago(clock, 0.01), "until": _days_ago(clock, 0)}
    )
    assert "inside what the live pull covers" in result["nothing_to_do"] and result["lease"] is None


def test_begin_run_backfill_before_any_live_run_is_refused(aws: AwsResources, clock: FakeClock) -> None:
    with pytest.raises(BackfillRangeError, match="has not started yet"):
        _begin(
            _store(aws, clock),
            clock,
            "fill-1",
            backfill={"since": _days_ago(clock, 7), "until": _days_ago(clock, 1)},
        )


def test_begin_run_backfill_continuation_keeps_the_clipped_range(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    _begin(store, clock, "live-1")
    first = _begin(
        store, clock, "fill-1", backfill={"since": _days_ago(clock, 89.99), "until": _days_ago(clock, 0)}
    )
    clock.advance(86400)  # the range's start is past Okta's 90 days now; a continuation is not re-checked
    handed = _begin(store, clock, "fill-1-next", backfill=first["backfill"], lease=first["lease"])
    assert handed["acquired"] is True and handed["backfill"] == first["backfill"]
