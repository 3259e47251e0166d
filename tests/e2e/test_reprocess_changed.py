"""End to end: `efw reprocess-changed` on the local engine reprocesses exactly what a deploy changed.

Two sources are "deployed" with schemas that reject events, and the record says the stack was last
reprocessed with those definitions. Both pull, both dead-letter. Then only Okta's schema is fixed
(the next deploy): the dry run counts Okta's dead letters and changes nothing; the real run republishes
each of them once through the real reprocess state machine; 1Password's dead letters, whose source
did not change, are not touched (same reason, same attempt count); a second run finds nothing to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.changes.fingerprints import fingerprints
from eventframework.local.changes.records import FileRecord
from eventframework.local.cli import main
from eventframework.state import DeadLetterStore

from .harness import REPO, PullWorld, make_world

OKTA, ONEPASSWORD = "okta-system-log", "onepassword-signin-attempts"
EVENTS = {OKTA: 200, ONEPASSWORD: 100}
pytestmark = pytest.mark.e2e


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PullWorld]:
    world, sandbox = make_world(tmp_path, EVENTS)
    for source in EVENTS:
        world.tune_source(source, lambda d: d.update(page_size=100))
    with sandbox:
        yield world


def _schema(world: PullWorld, source: str) -> Path:
    return world.root / "schemas" / "sources" / f"{source}.schema.json"


def _deploy_broken_and_pull(world: PullWorld) -> str:
    """Schemas that reject events, recorded as what the stack was last reprocessed with; pull both.
    Returns Okta's good schema text, for the fix."""
    good = _schema(world, OKTA).read_text()
    world.tune_schema(
        OKTA, lambda s: s["properties"].update(eventType={"type": "string", "pattern": "^user\\."})
    )
    world.tune_schema(ONEPASSWORD, lambda s: s.update(required=[*s["required"], "not_sent_by_1password"]))
    with world.definitions():
        deployed = fingerprints()
    for dry_run in (True, False):
        FileRecord.in_state_dir(world.state_dir, dry_run).save(deployed)
    for source in EVENTS:
        assert world.run(source).status == "SUCCEEDED"
    return good


def _reprocess_changed(world: PullWorld, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, Any]:
    arguments = ["reprocess-changed", "--json", "--state-dir", str(world.state_dir)]
    arguments += ["--template", str(REPO / "template.yaml"), "--out-dir", str(world.root / "out"), *flags]
    capsys.readouterr()
    with world.definitions():
        code = main(arguments)
    # The handlers' loggers, made during this process's earlier pulls, still write to the captured
    # stdout; the command's own report is the indented JSON document after them.
    lines = capsys.readouterr().out.splitlines()
    return code, json.loads("\n".join(lines[lines.index("{") :]))


def _letters(world: PullWorld, source: str) -> dict[str, tuple[str, str]]:
    return {
        letter["event_key"]: (letter["message"], letter["attempts"]) for letter in world.dead_letters(source)
    }


def test_reprocess_changed_republishes_the_fixed_source_and_leaves_the_unchanged_one_alone(
    world: PullWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _deploy_broken_and_pull(world)
    okta_dead, onepassword_dead = _letters(world, OKTA), _letters(world, ONEPASSWORD)
    assert 0 < len(okta_dead) < EVENTS[OKTA] and len(onepassword_dead) == EVENTS[ONEPASSWORD]
    delivered = len(world.delivered(OKTA))
    _schema(world, OKTA).write_text(good)  # the next deploy fixes Okta's schema, and only that

    code, dry = _reprocess_changed(world, capsys, "--dry-run")
    assert code == 0
    (run,) = dry["sources"]
    assert (run["source"], run["reason"], run["status"]) == (OKTA, "schema or mapping changed", "SUCCEEDED")
    assert (run["totals"]["would_publish"], run["totals"]["published"]) == (len(okta_dead), 0)
    assert _letters(world, OKTA) == okta_dead and len(world.delivered(OKTA)) == delivered

    code, real = _reprocess_changed(world, capsys)
    assert code == 0
    (run,) = real["sources"]
    assert run["source"] == OKTA and run["totals"]["published"] == len(okta_dead)
    assert run["totals"]["still_failing"] == 0
    assert world.dead_letters(OKTA) == []
    assert len(world.delivered(OKTA)) == EVENTS[OKTA]
    world.assert_each_event_once(OKTA)
    assert _letters(world, ONEPASSWORD) == onepassword_dead, "an unchanged source is left alone"

    executions = len(world.ops().executions())
    code, again = _reprocess_changed(world, capsys)
    assert (code, again["sources"], len(world.ops().executions())) == (0, [], executions)


def test_reprocess_changed_reports_what_still_fails_without_failing_the_step(
    world: PullWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fix that is not enough: the step succeeds and names what still fails; the events stay
    dead-lettered with the new reason and one more attempt, and the record moves on."""
    _deploy_broken_and_pull(world)
    before = _letters(world, OKTA)
    world.tune_schema(
        OKTA, lambda s: s["properties"].update(eventType={"type": "string", "pattern": "^(user|app)\\."})
    )
    code, report = _reprocess_changed(world, capsys)
    assert code == 0
    (run,) = report["sources"]
    after = _letters(world, OKTA)
    assert run["totals"]["still_failing"] == len(after) > 0
    assert run["totals"]["published"] == len(before) - len(after)
    assert all(int(after[key][1]) == int(before[key][1]) + 1 for key in after)
    with world.definitions():
        assert FileRecord.in_state_dir(world.state_dir, False).load() == fingerprints()


def test_reprocess_changed_fails_the_step_and_keeps_the_record_when_a_reprocess_fails(
    world: PullWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reprocess execution that fails exits non-zero, and the source keeps its old fingerprint, so
    a retry of the stage (or the next deploy) reprocesses it again."""
    good = _deploy_broken_and_pull(world)
    recorded = FileRecord.in_state_dir(world.state_dir, False).load()
    _schema(world, OKTA).write_text(good)

    def unavailable(*_: Any) -> Any:
        raise RuntimeError("dead-letter table unavailable")

    monkeypatch.setattr(DeadLetterStore, "page", unavailable)
    code, report = _reprocess_changed(world, capsys)
    assert code == 1
    (run,) = report["sources"]
    assert run["status"] == "FAILED"
    assert FileRecord.in_state_dir(world.state_dir, False).load() == recorded
    assert len(world.dead_letters(OKTA)) > 0
