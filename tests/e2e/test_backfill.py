"""`efw backfill` end to end on the local engine: the real pull state machine and handlers, the
embedded emulator and the sandbox's Okta API, whose events here reach eight days back.

Each test counts: every sandbox event inside the backfilled range and the live pull's window is on
the queue exactly once, nothing older than the range is delivered, and the live checkpoint is
exactly what the live pull left, whatever the backfill did.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from eventframework.definitions import load_source
from eventframework.handlers import process_page
from eventframework.local.cli import main
from eventframework.local.sandbox import Sandbox
from eventframework.local.status.reading import LocalStatusReader
from eventframework.observability.health import Health, assess
from eventframework.pipeline.backfill import BackfillRange, to_millis

from .harness import PullWorld, function_arn, make_world

OKTA = "okta-system-log"
HISTORY = timedelta(days=8)
EVENTS = 960  # one every 12 minutes: five in the live pull's first hour, the rest for backfills
PAGE_SIZE = 100


class SimulatedCrashError(Exception):
    """Stands for a Lambda that died mid-step."""


@pytest.fixture
def history_world(tmp_path: Path) -> Iterator[PullWorld]:
    sandbox = Sandbox(events={OKTA: EVENTS}, seed=5, interval=HISTORY / EVENTS)
    world, _ = make_world(tmp_path, {OKTA: EVENTS}, sandbox=sandbox)
    # A small page cap, so a backfill also continues in fresh executions as a long one does.
    world.tune_source(OKTA, lambda d: d.update(page_size=PAGE_SIZE, max_pages_per_execution=3))
    with sandbox:
        yield world


def _week_before(now: datetime | None = None) -> BackfillRange:
    moment = now or datetime.now(UTC)
    return BackfillRange(to_millis(moment - timedelta(days=7)), to_millis(moment))


def _times(world: PullWorld) -> dict[str, datetime]:
    return {event["uuid"]: datetime.fromisoformat(event["published"]) for event in world.sandbox.events(OKTA)}


def _delivered(world: PullWorld) -> Counter[str]:
    return Counter(event["details"]["source_event_id"] for event in world.delivered(OKTA))


def _state(world: PullWorld, sk: str) -> dict[str, Any]:
    path = world.state_dir / "tables" / "StateTable.jsonl"
    items = [json.loads(line) for line in path.read_text().splitlines() if line]
    return next(item for item in items if item["source"]["S"] == OKTA and item["sk"]["S"] == sk)


def _assert_from(world: PullWorld, since: datetime) -> None:
    """Every event at or after `since` delivered exactly once, none before it."""
    delivered = _delivered(world)
    assert max(delivered.values()) == 1, [key for key, count in delivered.items() if count > 1][:3]
    times = _times(world)
    expected = {event_id for event_id, moment in times.items() if moment >= since}
    assert set(delivered) == expected, (len(set(delivered) - expected), len(expected - set(delivered)))


def _backfills_in_status(world: PullWorld) -> tuple[str, ...]:
    """What `efw status` says of the source's backfills."""
    with world.definitions():
        (state,) = LocalStatusReader(world.state_dir).states([load_source(OKTA)])
    report = assess(state, time.time())
    assert report.health is Health.HEALTHY, report.problems  # a backfill never makes the live pull unhealthy
    return report.backfills


def _crash_on_page(page: int) -> dict[str, Any]:
    """ProcessPage dies before page `page` is processed (nothing of that page is published)."""
    calls = {"n": 0}

    def crash(event: Any, context: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == page:
            raise SimulatedCrashError(f"killed before processing page {page}")
        return process_page.lambda_handler(event, context)

    return {function_arn("ProcessPageFunction"): crash}


def test_backfill_fills_the_week_before_the_live_pull_exactly_once(history_world: PullWorld) -> None:
    world = history_world
    live = world.run(OKTA)
    assert live.status == "SUCCEEDED" and 0 < live.delivered < 10, live
    live_item = _state(world, "checkpoint")
    requested = _week_before()

    filled = world.run(OKTA, backfill=requested)

    assert filled.status == "SUCCEEDED", filled
    assert filled.backfill is not None and len(filled.executions) > 1  # continued past the page cap
    clipped_at = datetime.fromisoformat(filled.backfill["until"])
    assert requested.since < clipped_at < requested.until  # clipped where the live pull began
    _assert_from(world, requested.since)
    assert _state(world, "checkpoint") == live_item, "the backfill touched the live checkpoint"
    assert _state(world, filled.backfill["key"])["last_success_at"]["S"]
    (shown,) = _backfills_in_status(world)
    assert (
        shown.startswith(f"{filled.backfill['since']} .. {filled.backfill['until']}") and "finished" in shown
    )

    world.sandbox.ingest(OKTA, 25)
    after = world.run(OKTA)
    assert after.status == "SUCCEEDED" and after.delivered == 25 and after.totals["duplicates"] == 0, after
    _assert_from(world, requested.since)

    again = world.run(OKTA, backfill=requested)
    assert again.status == "SUCCEEDED" and again.delivered == 0
    assert again.nothing_to_do is not None and "filled completely" in again.nothing_to_do


def test_backfill_failed_halfway_is_redriven_without_redelivering(history_world: PullWorld) -> None:
    world = history_world
    world.run(OKTA)
    requested = _week_before()
    failed = world.run(OKTA, backfill=requested, lambdas=_crash_on_page(5))
    assert failed.status == "FAILED" and failed.error == "SimulatedCrashError", failed
    assert 0 < failed.delivered < EVENTS

    held = world.run(OKTA, backfill=requested)  # its lease stays with the failed run, for redrive
    assert held.status == "SKIPPED", held
    (shown,) = _backfills_in_status(world)
    assert f"FAILED (execution {failed.failed_execution.rsplit(':', 1)[1]}): redrive it" in shown

    redriven = world.run(OKTA, redrive=failed.failed_execution)
    assert redriven.status == "SUCCEEDED", redriven
    _assert_from(world, requested.since)


def test_backfill_run_again_resumes_where_it_stopped(history_world: PullWorld) -> None:
    world = history_world
    world.run(OKTA)
    requested = _week_before()
    first = world.run(OKTA, backfill=requested, lambdas=_crash_on_page(4))
    assert first.status == "FAILED", first
    world.expire_leases()  # as it does on its own after the lease's 15 minutes

    resumed = world.run(OKTA, backfill=requested)

    assert resumed.status == "SUCCEEDED", resumed
    assert resumed.totals["duplicates"] == 0 and resumed.totals["pages"] < EVENTS // PAGE_SIZE, resumed
    _assert_from(world, requested.since)


def test_backfill_and_live_pull_hold_their_own_leases(history_world: PullWorld) -> None:
    """A live run that failed holding its lease blocks the live pull, not a backfill; a backfill that
    failed holding its lease blocks neither the live pull nor anything else."""
    world = history_world
    world.run(OKTA)
    world.sandbox.ingest(OKTA, 300)
    live = world.run(OKTA, lambdas=_crash_on_page(2))
    assert live.status == "FAILED", live
    requested = _week_before()

    filled = world.run(OKTA, backfill=requested, lambdas=_crash_on_page(3))
    assert filled.status == "FAILED" and filled.delivered > 0, filled  # it ran beside the held live lease
    assert world.run(OKTA).status == "SKIPPED"  # the live lease is still the failed live run's

    assert world.run(OKTA, redrive=live.failed_execution).status == "SUCCEEDED"
    assert world.run(OKTA, redrive=filled.failed_execution).status == "SUCCEEDED"
    _assert_from(world, requested.since)


def test_backfill_cli_refuses_a_range_past_the_vendors_retention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state_dir = tmp_path / "state"
    code = main(["backfill", OKTA, "--since", "100d", "--state-dir", str(state_dir)])
    assert code == 2
    error = capsys.readouterr().err
    assert "the vendor serves only the last 90 days" in error and "support.okta.com" in error
    assert not state_dir.exists(), "a refused backfill must not start anything"
