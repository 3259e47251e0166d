"""reprocess_batch: re-validate dead letters, publish what passes once, keep what fails, page through."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from reprocess_world import OKTA, REPO, World, okta_records

from eventframework.pipeline import RunRequestError
from eventframework.reprocess import ReprocessRequest, reprocess_batch

ONEPASSWORD = "onepassword-signin-attempts"


def _dead_letter(world: World, record: dict[str, Any], kind: str = "schema_invalid") -> None:
    world.services.deadletters.put(
        OKTA, event_key=record["uuid"], raw=record, error_kind=kind, message="old reason", run_id="pull-1"
    )


def _request(**changes: Any) -> ReprocessRequest:
    fields: dict[str, Any] = {"source": OKTA, "max_events": 1000, "dry_run": False, "run_id": "run-a"}
    fields.update(changes)
    return ReprocessRequest(**fields)


def _run_to_end(world: World, request: ReprocessRequest) -> tuple[dict[str, Any], int]:
    """Call batch after batch as the state machine does; return the last result and the call count."""
    calls = 0
    event: dict[str, Any] = {"input": {"source": request.source}, "run_id": request.run_id}
    source = request.source
    result: dict[str, Any] = {}
    while True:
        parsed = ReprocessRequest.from_event(
            {**event, "position": result.get("position"), "totals": result.get("totals")}
        )
        step = _request(
            source=source,
            run_id=request.run_id,
            dry_run=request.dry_run,
            batch_size=request.batch_size,
            position=parsed.position,
            totals=parsed.totals,
        )
        result = reprocess_batch(step, world.services, world.claims)
        calls += 1
        if not result["has_more"]:
            return result, calls


def test_reprocess_batch_publishes_what_passes_and_deletes_its_dead_letter(world: World) -> None:
    records = okta_records()
    for record in records:
        _dead_letter(world, record)
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["published"] == len(records) == result["totals"]["examined"]
    assert result["has_more"] is False
    published = world.taken()
    assert sorted(event["details"]["source_event_id"] for event in published) == sorted(
        r["uuid"] for r in records
    )
    assert list(world.services.deadletters.list(OKTA)) == []


def test_reprocess_batch_keeps_what_still_fails_with_a_new_reason_and_attempt(world: World) -> None:
    broken = copy.deepcopy(okta_records()[0])
    broken["eventType"] = ["not", "text"]  # the mapping reads it as text
    _dead_letter(world, broken)
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["still_failing"] == 1
    letter = world.services.deadletters.get(OKTA, broken["uuid"])
    assert letter is not None
    assert (letter.attempts, letter.run_id, letter.error_kind) == (2, "run-a", "schema_invalid")
    assert "eventType" in letter.message
    assert world.taken() == []


def test_reprocess_batch_dry_run_counts_and_changes_nothing(world: World) -> None:
    records = okta_records()
    for record in records:
        _dead_letter(world, record)
    result = reprocess_batch(_request(dry_run=True), world.services, world.claims)
    assert result["totals"]["would_publish"] == len(records)
    assert result["totals"]["published"] == 0
    assert world.taken() == []
    assert len(list(world.services.deadletters.list(OKTA))) == len(records)


def test_reprocess_batch_pages_through_in_bounded_batches(world: World) -> None:
    records = okta_records()
    for record in records:
        _dead_letter(world, record)
    result, calls = _run_to_end(world, _request(batch_size=2))
    assert result["totals"]["published"] == len(records)
    assert calls == 2, "three dead letters in batches of two"
    assert len(world.taken()) == len(records)


def test_reprocess_batch_leaves_an_event_claimed_by_another_run(world: World) -> None:
    record = okta_records()[0]
    _dead_letter(world, record)
    world.claims.claim(OKTA, record["uuid"], "run-b")
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["held_by_another_run"] == 1
    assert world.taken() == []
    assert world.services.deadletters.get(OKTA, record["uuid"]) is not None, "kept until run-b confirms"


def test_reprocess_batch_never_republishes_an_event_dead_lettered_again(world: World) -> None:
    record = okta_records()[0]
    _dead_letter(world, record)
    reprocess_batch(_request(), world.services, world.claims)
    assert len(world.taken()) == 1
    _dead_letter(world, record)  # e.g. a stale run re-read the page with the old schema
    result = reprocess_batch(_request(run_id="run-c"), world.services, world.claims)
    assert result["totals"]["already_published"] == 1
    assert world.taken() == []
    assert world.services.deadletters.get(OKTA, record["uuid"]) is None


def test_reprocess_batch_only_removes_what_the_pull_already_delivered(world: World) -> None:
    record = okta_records()[0]
    _dead_letter(world, record)
    world.services.ledger(OKTA, 0).record([(record["uuid"], world.clock.now)])
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["already_published"] == 1
    assert world.taken() == []
    assert world.services.deadletters.get(OKTA, record["uuid"]) is None


def test_reprocess_batch_stops_at_max_events(world: World) -> None:
    for record in okta_records():
        _dead_letter(world, record)
    result = reprocess_batch(_request(max_events=1), world.services, world.claims)
    assert result["totals"]["examined"] == 1
    assert result["has_more"] is False


@pytest.mark.parametrize(
    ("run_input", "key"),
    [
        ({"max_events": 0}, "max_events"),
        ({"max_events": "10"}, "max_events"),
        ({"dry_run": "yes"}, "dry_run"),
    ],
)
def test_reprocess_request_rejects_bad_input_naming_the_key(run_input: dict[str, Any], key: str) -> None:
    with pytest.raises(RunRequestError) as raised:
        ReprocessRequest.from_event({"input": run_input, "run_id": "run-a"})
    assert raised.value.key == key


class CrashError(Exception):
    """Stands for the function dying after it claimed the batch, before anything was published."""


def test_reprocess_batch_crash_before_publish_loses_nothing_and_a_rerun_publishes_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = okta_records()
    for record in records:
        _dead_letter(world, record)

    def crash(events: Any) -> Any:
        raise CrashError("killed before SendMessageBatch")

    with monkeypatch.context() as patched:
        patched.setattr(world.services.publisher, "publish", crash)
        with pytest.raises(CrashError):
            reprocess_batch(_request(), world.services, world.claims)
    assert len(list(world.services.deadletters.list(OKTA))) == len(records), "nothing lost"
    other = reprocess_batch(_request(run_id="run-b"), world.services, world.claims)
    assert other["totals"]["held_by_another_run"] == len(records), "claims of the crashed run still hold"
    redriven = reprocess_batch(_request(), world.services, world.claims)  # redrive: same execution id
    assert redriven["totals"]["published"] == len(records)
    assert len(world.taken()) == len(records)
    assert list(world.services.deadletters.list(OKTA)) == []


def test_reprocess_batch_without_a_source_walks_every_defined_source(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for source in (OKTA, ONEPASSWORD):
        shutil.copy(REPO / "sources" / f"{source}.yaml", sources / f"{source}.yaml")
    monkeypatch.setenv("EFW_SOURCES_DIR", str(sources))
    for record in okta_records():
        _dead_letter(world, record)
    signins = json.loads((REPO / "tests/fixtures/onepassword-signin-attempts/page.json").read_text())
    items = signins["items"] if isinstance(signins, dict) else signins
    for record in items:
        world.services.deadletters.put(
            ONEPASSWORD,
            event_key=record["uuid"],
            raw=record,
            error_kind="schema_invalid",
            message="m",
            run_id="p",
        )
    result, _ = _run_to_end(world, _request(source=None, batch_size=2))
    assert result["totals"]["published"] == len(okta_records()) + len(items)
    assert list(world.services.deadletters.list(OKTA)) == []
    assert list(world.services.deadletters.list(ONEPASSWORD)) == []
