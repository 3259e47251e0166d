"""End to end: a run never reports a pull it did not make, and status never calls a blocked source healthy.

A run that FAILS keeps the source's lease (so redrive can resume it). The next scheduled run finds it
held: it must say SKIPPED, by whom, since and until when, and what to do, not "SUCCEEDED, 0 pages";
`efw status` must not call the source healthy until the failed run is redriven or its lease expires.
A run stopped by a signal ends ABORTED at a state boundary and releases its lease, so the next run
resumes at once.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from eventframework.definitions import load_source
from eventframework.handlers import process_page
from eventframework.local.commands.run import render_summary
from eventframework.local.run.pull import LocalPull, LocalRunError, LocalRunOptions
from eventframework.local.sandbox import Fault
from eventframework.local.status.reading import LocalStatusReader
from eventframework.observability.health import Health, assess

from .harness import FETCH_ATTEMPTS, REPO, SMALL_OKTA_EVENTS, PullWorld, function_arn

OKTA = "okta-system-log"
EVENTS = SMALL_OKTA_EVENTS
pytestmark = pytest.mark.e2e


def _health(world: PullWorld) -> tuple[Health, tuple[str, ...]]:
    with world.definitions():
        state = LocalStatusReader(world.state_dir).states([load_source(OKTA)])[0]
    report = assess(state, time.time())
    return report.health, report.problems


def test_a_run_that_finds_a_failed_runs_lease_is_skipped_and_says_why(small_okta_world: PullWorld) -> None:
    small_okta_world.sandbox.inject(OKTA, Fault.on_page(3, Fault.http_status(500, times=FETCH_ATTEMPTS)))
    failed = small_okta_world.run(OKTA)
    assert failed.status == "FAILED" and failed.failed_execution
    holder = failed.failed_execution.rsplit(":", 1)[-1]

    skipped = small_okta_world.run(OKTA)

    assert skipped.status == "SKIPPED", skipped
    assert skipped.lease is not None and skipped.lease["owner"] == holder
    assert skipped.lease["expires_at"] > time.time() and skipped.lease["taken_at"] <= time.time()
    assert skipped.totals["pages"] == 0 and skipped.delivered == 0
    printed = render_summary(skipped)
    assert f"held by execution {holder} since" in printed, printed
    assert f"efw executions show {holder}" in printed and "efw redrive" in printed, printed

    health, problems = _health(small_okta_world)
    assert health is Health.UNHEALTHY
    assert any(f"execution {holder} FAILED and holds the lease until" in problem for problem in problems)
    assert any("pulled nothing" in problem for problem in problems), problems


def test_a_stopped_run_ends_aborted_at_a_step_releases_its_lease_and_the_next_run_resumes(
    small_okta_world: PullWorld,
) -> None:
    processed: list[object] = []

    def stop_after_the_second_page(event: Any, context: Any) -> Any:
        result = process_page.lambda_handler(event, context)
        processed.append(result)
        if len(processed) == 2:
            pull.stop("States.Aborted", "SIGINT received")  # what efw run's signal handler calls
        return result

    options = LocalRunOptions(
        source=OKTA,
        template=REPO / "template.yaml",
        state_dir=small_okta_world.state_dir,
        out=small_okta_world.out(OKTA),
    )
    lambdas = {function_arn("ProcessPageFunction"): stop_after_the_second_page}
    pull = LocalPull(options, small_okta_world.clock, sandbox=small_okta_world.sandbox, lambdas=lambdas)
    with small_okta_world.definitions():
        stopped = pull.run()

    assert stopped.status == "ABORTED", stopped
    assert stopped.cause == "SIGINT received"
    assert stopped.delivered == 200, "two pages, then the stop took effect before the next state"
    assert "run the same command again to resume" in render_summary(stopped)

    resumed = small_okta_world.run(OKTA)
    assert resumed.status == "SUCCEEDED", resumed
    assert resumed.delivered == EVENTS - 200
    small_okta_world.assert_each_event_once(OKTA)


def test_a_state_directory_of_the_sandbox_pointed_at_another_api_is_refused_with_the_fix(
    small_okta_world: PullWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert small_okta_world.run(OKTA).status == "SUCCEEDED"
    monkeypatch.setenv("EFW_TEST_OKTA_TOKEN", "not-used")
    options = LocalRunOptions(
        source=OKTA,
        template=REPO / "template.yaml",
        state_dir=small_okta_world.state_dir,
        out=small_okta_world.out(OKTA),
        base_url="https://example.okta.com",
        token_env="EFW_TEST_OKTA_TOKEN",
    )
    with small_okta_world.definitions(), pytest.raises(LocalRunError) as refused:
        LocalPull(options, small_okta_world.clock).run()
    assert "https://example.okta.com:443" in str(refused.value)
    assert "another --state-dir" in str(refused.value)
