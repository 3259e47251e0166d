"""End to end: a run that fails at page k is redriven and completes from page k, each event once.

The sandbox answers page 3 with 500s beyond the state machine's retries, so the pull execution
FAILS at "Fetch the next page" (no Catch), the branch that fetches page 3 beside the processing of
page 2; redrive re-runs only that branch. `efw executions show` reads where it stopped from the history;
`efw redrive` resumes it there: pages 1 and 2 are not requested again, nothing is published twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eventframework.local.sandbox import Fault

from .harness import FETCH_ATTEMPTS, SMALL_OKTA_EVENTS, PullWorld, serving_world

OKTA = "okta-system-log"
EVENTS = SMALL_OKTA_EVENTS
pytestmark = pytest.mark.e2e


def test_redrive_resumes_a_failed_run_at_its_page_without_refetching_or_duplicates(
    small_okta_world: PullWorld,
) -> None:
    small_okta_world.sandbox.inject(OKTA, Fault.on_page(3, Fault.http_status(500, times=FETCH_ATTEMPTS)))
    first = small_okta_world.run(OKTA)
    assert first.status == "FAILED" and first.failed_execution, first
    assert first.delivered == 200, "pages 1 and 2 were delivered before page 3 failed"

    ops = small_okta_world.ops()
    view, failure = ops.describe(first.failed_execution)
    assert view.status == "FAILED" and view.source == OKTA
    assert failure is not None
    assert (failure.step, failure.error, failure.page_number) == (
        "Fetch the next page",
        "SourceUnavailableError",
        3,
    )
    assert failure.cursor, "the cursor page 3 was requested with"
    assert [v.arn for v in ops.executions() if v.status == "FAILED"] == [first.failed_execution]

    requests_before = len(small_okta_world.sandbox.requests(OKTA))
    with small_okta_world.definitions():
        report = ops.redrive(first.failed_execution)
    assert report.status == "SUCCEEDED", report
    after = small_okta_world.sandbox.requests(OKTA)[requests_before:]
    assert after and after[0].page == 3, [request.page for request in after]
    assert all(request.page is not None and request.page >= 3 for request in after)
    assert ops.describe(first.failed_execution)[0].redrive_count == 1
    small_okta_world.assert_each_event_once(OKTA)
    assert len(small_okta_world.delivered(OKTA)) == EVENTS


def test_redrive_after_another_run_took_over_publishes_nothing(tmp_path: Path) -> None:
    """Run 1 fails at page 3; its lease expires and run 2 delivers pages 3-6, more than the ledger
    keeps. Redriving run 1 then fails at "Process page" on the lease check, before publishing."""
    with serving_world(tmp_path, OKTA, 600, page_size=100) as world:
        world.sandbox.inject(OKTA, Fault.on_page(3, Fault.http_status(500, times=FETCH_ATTEMPTS)))
        first = world.run(OKTA)
        assert first.status == "FAILED" and first.failed_execution, first
        world.expire_leases()
        second = world.run(OKTA)
        assert second.status == "SUCCEEDED", second
        world.assert_each_event_once(OKTA)
        assert len(world.delivered(OKTA)) == 600

        ops = world.ops()
        with world.definitions():
            report = ops.redrive(first.failed_execution)
        assert report.status == "FAILED", report
        failure = ops.describe(first.failed_execution)[1]
        assert failure is not None
        assert (failure.step, failure.error) == ("Process page", "LeaseLostError")
        assert "nothing of this page was published" in (failure.cause or "")
        world.assert_each_event_once(OKTA)
        assert len(world.delivered(OKTA)) == 600
