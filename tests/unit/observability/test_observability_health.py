"""Health rules: failed, stale, never-run and lagging sources are unhealthy; dead letters warn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eventframework.definitions import SourceDefinition, load_source
from eventframework.definitions.model import MonitoringSpec
from eventframework.observability import Health, SourceState, assess
from eventframework.observability.health import RunRecord

NOW = 1_800_000_000.0
INTERVAL = 300  # okta-system-log runs every 5 minutes


@pytest.fixture(scope="module")
def okta() -> SourceDefinition:
    return replace(
        load_source("okta-system-log"), monitoring=MonitoringSpec(max_lag_seconds=3600, missed_runs=2)
    )


def _succeeded(ago: float, events: int = 40) -> RunRecord:
    return RunRecord("run-1", "SUCCEEDED", started_at=NOW - ago - 20, stopped_at=NOW - ago, events=events)


def _healthy_state(definition: SourceDefinition, **changes: object) -> SourceState:
    state = SourceState(
        definition=definition,
        last_run=_succeeded(60),
        last_success_at=NOW - 60,
        newest_event_at=NOW - 120,
    )
    return replace(state, **changes)  # type: ignore[arg-type]


def test_health_recent_success_and_small_lag_is_healthy(okta: SourceDefinition) -> None:
    report = assess(_healthy_state(okta), NOW)
    assert report.health is Health.HEALTHY and report.healthy and report.problems == ()
    assert report.lag_seconds == 120 and report.events_last_run == 40
    assert report.next_run == NOW - 80 + INTERVAL


def test_health_failed_last_run_is_unhealthy_with_its_error(okta: SourceDefinition) -> None:
    failed = RunRecord("run-2", "FAILED", started_at=NOW - 30, error="SourceAuthError", cause="401 from okta")
    report = assess(_healthy_state(okta, last_run=failed), NOW)
    assert report.health is Health.UNHEALTHY
    assert report.problems == ("last run run-2 FAILED: SourceAuthError: 401 from okta",)


def test_health_no_success_within_missed_runs_intervals_is_stale(okta: SourceDefinition) -> None:
    just_in_time = assess(_healthy_state(okta, last_success_at=NOW - 2 * INTERVAL), NOW)
    assert just_in_time.healthy
    stale = assess(_healthy_state(okta, last_success_at=NOW - 2 * INTERVAL - 1), NOW)
    assert not stale.healthy
    assert "more than 2 schedule intervals of 5.0m" in stale.problems[0]


def test_health_never_run_is_unhealthy(okta: SourceDefinition) -> None:
    report = assess(SourceState(definition=okta), NOW)
    assert report.problems == ("never ran",) and report.next_run == NOW


def test_health_lag_over_the_threshold_is_unhealthy(okta: SourceDefinition) -> None:
    assert assess(_healthy_state(okta, newest_event_at=NOW - 3600), NOW).healthy
    report = assess(_healthy_state(okta, newest_event_at=NOW - 3601), NOW)
    assert report.problems == ("lag 1.0h is over max_lag_seconds 3600",)


def test_health_dead_letters_warn_without_failing(okta: SourceDefinition) -> None:
    report = assess(_healthy_state(okta, dead_letters=3), NOW)
    assert report.healthy and report.warnings == ("3 dead letter(s) await reprocessing",)


def test_health_live_lease_names_its_holder_expired_does_not(okta: SourceDefinition) -> None:
    live = assess(_healthy_state(okta, lease_owner="run-9", lease_expires_at=NOW + 10), NOW)
    assert live.lease_holder == "run-9"
    assert (
        assess(_healthy_state(okta, lease_owner="run-9", lease_expires_at=NOW - 1), NOW).lease_holder is None
    )


def test_health_disabled_source_is_never_unhealthy(okta: SourceDefinition) -> None:
    report = assess(SourceState(definition=replace(okta, enabled=False)), NOW)
    assert report.health is Health.DISABLED and report.healthy


def test_health_unevaluable_schedule_is_reported_as_a_problem(okta: SourceDefinition) -> None:
    report = assess(_healthy_state(replace(okta, schedule="cron(0 9 L * ? *)")), NOW)
    assert not report.healthy and "cannot evaluate cron token 'L'" in report.problems[0]
