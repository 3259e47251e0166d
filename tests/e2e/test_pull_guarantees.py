"""End-to-end delivery guarantees of the pull pipeline (DESIGN.md §6), each counted at both ends.

Every test pulls through the real `statemachines/pull.asl.json`, the real handlers and the embedded
emulator, with the sandbox API injecting one fault, then counts: each event the source holds is on
the queue exactly once or in the dead-letter store with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from eventframework.handlers import process_page
from eventframework.local.emulator.snapshot import read_items
from eventframework.local.sandbox import Fault
from eventframework.state.ledger import decode_entries

from .harness import PullWorld, function_arn

OKTA = "okta-system-log"
ONEPASSWORD = "onepassword-signin-attempts"
pytestmark = pytest.mark.e2e


def test_pull_delivers_every_event_once_and_saves_the_checkpoint(okta_world: PullWorld) -> None:
    summary = okta_world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    assert summary.delivered == 1200
    assert summary.checkpoint
    okta_world.assert_each_event_once(OKTA)


def test_pull_second_run_resumes_from_the_checkpoint(okta_world: PullWorld) -> None:
    okta_world.run(OKTA)
    okta_world.sandbox.ingest(OKTA, count=150)
    second = okta_world.run(OKTA)
    assert second.status == "SUCCEEDED"
    assert second.delivered == 150
    okta_world.assert_each_event_once(OKTA)


def test_pull_late_events_behind_the_cursor_still_arrive(okta_world: PullWorld) -> None:
    okta_world.run(OKTA)
    late = okta_world.sandbox.ingest_late(OKTA, count=20, age_seconds=120)
    second = okta_world.run(OKTA)
    assert second.delivered == len(late)
    okta_world.assert_each_event_once(OKTA)


TRANSIENT_FAULTS = {
    "429-retry-after": Fault.http_status(429, times=2, retry_after=3),
    "429-rate-limit-reset": Fault.http_status(429, times=1, rate_limit_reset_in=2),
    "500": Fault.http_status(500, times=2),
    "503": Fault.http_status(503, times=2),
    "connection-reset": Fault.connection_reset(times=2),
    "malformed-json": Fault.malformed_json(times=1),
    "truncated-body": Fault.truncated_body(times=1),
    "on-page-3": Fault.on_page(3, Fault.http_status(500, times=2)),
}


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS.values(), ids=TRANSIENT_FAULTS.keys())
def test_pull_survives_a_transient_source_fault(okta_world: PullWorld, fault: Fault) -> None:
    okta_world.sandbox.inject(OKTA, fault)
    summary = okta_world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    assert not okta_world.sandbox.pending_faults(OKTA), "the fault was never hit"
    okta_world.assert_each_event_once(OKTA)


def test_pull_survives_a_response_slower_than_the_client_timeout(okta_world: PullWorld) -> None:
    okta_world.tune_source(OKTA, lambda d: d["request"].update(timeout_seconds={"connect": 1, "read": 0.2}))
    okta_world.sandbox.inject(OKTA, Fault.slow(seconds=0.6, times=1))
    summary = okta_world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    okta_world.assert_each_event_once(OKTA)


def test_pull_refuses_a_next_link_to_a_foreign_host_and_loses_nothing(okta_world: PullWorld) -> None:
    okta_world.sandbox.inject(OKTA, Fault.foreign_next_link(host="evil.example", times=1))
    first = okta_world.run(OKTA)
    assert first.status == "FAILED"
    assert first.error == "ForeignHostError"
    assert "evil.example" in (first.cause or "")
    assert all("evil.example" not in request.path for request in okta_world.sandbox.requests(OKTA))
    assert okta_world.run(OKTA).delivered == 0, "the failed run's lease must keep a new run out"
    assert first.failed_execution
    redriven = okta_world.run(OKTA, redrive=first.failed_execution)
    assert redriven.status == "SUCCEEDED", redriven
    okta_world.assert_each_event_once(OKTA)


class SimulatedCrashError(Exception):
    """Stands for the process dying after ProcessPage published, before the checkpoint was saved."""


def _crash_after_publishing_page(page: int) -> dict[str, Any]:
    calls = {"n": 0}

    def crash(event: Any, context: Any) -> Any:
        result = process_page.lambda_handler(event, context)
        calls["n"] += 1
        if calls["n"] == page:
            raise SimulatedCrashError(f"killed after publishing page {page}")
        return result

    return {function_arn("ProcessPageFunction"): crash}


def test_pull_crash_between_publish_and_checkpoint_then_a_fresh_run_duplicates_nothing(
    okta_world: PullWorld,
) -> None:
    first = okta_world.run(OKTA, lambdas=_crash_after_publishing_page(2))
    assert first.status == "FAILED" and first.error == "SimulatedCrashError", first
    okta_world.expire_leases()
    second = okta_world.run(OKTA)
    assert second.status == "SUCCEEDED", second
    assert second.totals["duplicates"] == 200, "page 2 is fetched again and its events dropped as delivered"
    okta_world.assert_each_event_once(OKTA)


def test_pull_crash_between_publish_and_checkpoint_then_redrive_duplicates_nothing(
    okta_world: PullWorld,
) -> None:
    first = okta_world.run(OKTA, lambdas=_crash_after_publishing_page(3))
    assert first.status == "FAILED" and first.failed_execution
    redriven = okta_world.run(OKTA, redrive=first.failed_execution)
    assert redriven.status == "SUCCEEDED", redriven
    okta_world.assert_each_event_once(OKTA)


def _ledger_ids(world: PullWorld, source: str) -> set[str]:
    items = read_items(world.state_dir / "tables" / "StateTable.jsonl")
    return set(
        decode_entries(next(i for i in items if i["source"]["S"] == source and i["sk"]["S"] == "ledger"))
    )


def test_pull_crash_after_the_last_page_then_a_fresh_run_dedups_it_with_two_pages_kept(
    okta_world: PullWorld,
) -> None:
    first = okta_world.run(OKTA, lambdas=_crash_after_publishing_page(6))  # 6 x 200: the last full page
    assert first.status == "FAILED" and first.error == "SimulatedCrashError", first
    kept = _ledger_ids(okta_world, OKTA)
    assert len(kept) == 400, "Okta has no lag window: the ledger keeps the last two pages, no hour floor"
    okta_world.clock.sleep(6 * 3600)  # the next run comes hours later: the window has no clock
    okta_world.expire_leases()
    second = okta_world.run(OKTA)
    assert second.status == "SUCCEEDED", second
    assert second.totals["duplicates"] == 200, "page 6 is fetched again and every event dropped"
    okta_world.assert_each_event_once(OKTA)


def test_pull_page_cap_continues_in_a_fresh_execution_without_truncating(okta_world: PullWorld) -> None:
    okta_world.tune_source(OKTA, lambda d: d.update(max_pages_per_execution=2))
    summary = okta_world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    assert len(summary.executions) >= 3
    okta_world.assert_each_event_once(OKTA)


def test_pull_dead_letters_schema_invalid_events_with_their_reason(okta_world: PullWorld) -> None:
    okta_world.tune_schema(
        OKTA, lambda s: s["properties"].update(eventType={"type": "string", "pattern": "^user\\."})
    )
    summary = okta_world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    dead = okta_world.dead_letters(OKTA)
    assert dead, "the tightened schema should reject some generated event types"
    assert {letter["error_kind"] for letter in dead} == {"schema_invalid"}
    assert all("eventType" in letter["message"] for letter in dead)
    okta_world.assert_each_event_once(OKTA)


def test_pull_onepassword_body_cursor_with_retry_after(onepassword_world: PullWorld) -> None:
    onepassword_world.sandbox.inject(ONEPASSWORD, Fault.http_status(429, times=1, retry_after=2))
    summary = onepassword_world.run(ONEPASSWORD)
    assert summary.status == "SUCCEEDED", summary
    assert summary.delivered == 900
    onepassword_world.sandbox.ingest(ONEPASSWORD, count=40)
    assert onepassword_world.run(ONEPASSWORD).delivered == 40
    onepassword_world.assert_each_event_once(ONEPASSWORD)
