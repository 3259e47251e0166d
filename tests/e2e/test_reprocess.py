"""End to end: dead letters reprocessed through the real reprocess state machine, each event once.

A schema rejects a field, the pull dead-letters those events; the schema is fixed; reprocess (alone,
or two executions at once racing for the same dead letters) puts every event on the queue exactly
once and empties the dead-letter store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventframework.reprocess.request import BATCH_SIZE
from eventframework.state import DeadLetterStore

from .harness import PullWorld, serving_world

OKTA = "okta-system-log"
EVENTS = 200
pytestmark = pytest.mark.e2e


@pytest.fixture
def okta_world(tmp_path: Path) -> Iterator[PullWorld]:
    """A smaller world than the pull tests': reprocessing costs a few requests per dead letter."""
    with serving_world(tmp_path, OKTA, EVENTS, page_size=100) as world:
        yield world


def _schema_path(world: PullWorld) -> Path:
    return world.root / "schemas" / "sources" / f"{OKTA}.schema.json"


def _dead_letter_some(world: PullWorld) -> int:
    """Pull with a schema that rejects most event types, then restore the schema; return the count."""
    original = _schema_path(world).read_text()
    world.tune_schema(
        OKTA, lambda s: s["properties"].update(eventType={"type": "string", "pattern": "^user\\."})
    )
    summary = world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    dead = len(world.dead_letters(OKTA))
    assert 0 < dead < EVENTS
    _schema_path(world).write_text(original)
    return dead


def test_reprocess_after_the_schema_is_fixed_delivers_each_event_once(okta_world: PullWorld) -> None:
    dead = _dead_letter_some(okta_world)
    delivered = len(okta_world.delivered(OKTA))
    with okta_world.definitions():
        dry = okta_world.ops().reprocess(OKTA, dry_run=True)
        assert dry.status == "SUCCEEDED", dry
        assert (dry.totals["would_publish"], dry.totals["published"]) == (dead, 0)
        assert len(okta_world.dead_letters(OKTA)) == dead, "a dry run changes nothing"
        assert len(okta_world.delivered(OKTA)) == delivered
        report = okta_world.ops().reprocess(OKTA)
    assert report.status == "SUCCEEDED", report
    assert report.totals["published"] == report.totals["examined"] == dead
    assert okta_world.dead_letters(OKTA) == []
    assert len(okta_world.delivered(OKTA)) == EVENTS
    okta_world.assert_each_event_once(OKTA)


def test_reprocess_keeps_what_still_fails_with_a_new_reason_and_attempt(okta_world: PullWorld) -> None:
    _dead_letter_some(okta_world)
    okta_world.tune_schema(
        OKTA, lambda s: s["properties"].update(eventType={"type": "string", "pattern": "^(user|app)\\."})
    )
    before = {letter["event_key"]: letter for letter in okta_world.dead_letters(OKTA)}
    with okta_world.definitions():
        report = okta_world.ops().reprocess(OKTA)
    after = {letter["event_key"]: letter for letter in okta_world.dead_letters(OKTA)}
    assert report.totals["still_failing"] == len(after) > 0
    assert report.totals["published"] == len(before) - len(after)
    for key, letter in after.items():
        assert int(letter["attempts"]) == int(before[key]["attempts"]) + 1
        assert "(user|app)" in letter["message"], letter["message"]
        assert letter["run_id"] == report.execution
    okta_world.assert_each_event_once(OKTA)


def test_reprocess_two_runs_at_once_publish_each_event_once(
    okta_world: PullWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both executions read the same first batch before either claims anything, then race."""
    dead = _dead_letter_some(okta_world)
    barrier = threading.Barrier(2, timeout=60)
    reads = {"n": 0}
    lock = threading.Lock()
    read_page = DeadLetterStore.page

    def read_then_meet(*args: Any) -> Any:
        page = read_page(*args)
        with lock:
            reads["n"] += 1
            first_reads = reads["n"] <= 2
        if first_reads:
            barrier.wait()
        return page

    monkeypatch.setattr(DeadLetterStore, "page", read_then_meet)
    with okta_world.definitions():
        reports = okta_world.ops().reprocess_concurrently([{"source": OKTA}, {"source": OKTA}])
    assert [report.status for report in reports] == ["SUCCEEDED", "SUCCEEDED"], reports
    totals = [report.totals for report in reports]
    assert sum(t["published"] for t in totals) == dead
    contended = sum(t["held_by_another_run"] + t["already_published"] for t in totals)
    assert contended >= min(dead, BATCH_SIZE), "every event of the shared first batch was contended"
    assert okta_world.dead_letters(OKTA) == []
    okta_world.assert_each_event_once(OKTA)
