"""Change detection for `efw reprocess-changed`, on real copies of sources/ and schemas/.

A fingerprint moves when something ReprocessBatch re-runs moves (the raw-event schema, the mapping,
the hook's code, the MozDef contract) and stays put for everything else (comments, key order, the
schedule); the plan lists exactly the sources whose fingerprint differs from the stack's record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from eventframework.definitions import load_source
from eventframework.local.changes.fingerprints import (
    FingerprintFileError,
    fingerprints,
    fingerprints_text,
    read_fingerprints,
    source_fingerprint,
)
from eventframework.local.changes.records import FileRecord
from eventframework.local.changes.runner import (
    Change,
    ChangeReason,
    changed_sources,
    next_record,
    reprocess_changed,
)
from eventframework.local.commands.changes import render
from eventframework.local.ops.local_ops import ReprocessReport

REPO = Path(__file__).resolve().parents[2]
OKTA, DUO, GUARDDUTY = "okta-system-log", "duo-authentication-log", "aws-guardduty"
SOURCES = (OKTA, DUO, GUARDDUTY)


def _prints() -> dict[str, str]:
    return fingerprints([load_source(source) for source in SOURCES])


def _edit(path: Path, change: Callable[[str], str]) -> None:
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, f"the edit did not apply to {path}"
    path.write_text(after, encoding="utf-8")


def _moved(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {source for source in before if before[source] != after[source]}


def test_fingerprints_move_for_the_source_whose_schema_changed(scratch: Path) -> None:
    before = _prints()
    schema_path = scratch / "schemas" / "sources" / f"{OKTA}.schema.json"
    schema = json.loads(schema_path.read_text())
    schema["required"] = [*schema.get("required", []), "displayMessage"]
    schema_path.write_text(json.dumps(schema))
    assert _moved(before, _prints()) == {OKTA}


def test_fingerprints_move_for_the_source_whose_mapping_changed(scratch: Path) -> None:
    before = _prints()
    _edit(
        scratch / "sources" / f"{OKTA}.yaml", lambda text: text.replace('category: "okta"', 'category: "idp"')
    )
    assert _moved(before, _prints()) == {OKTA}


def test_fingerprints_stay_for_comments_key_order_and_the_schedule(scratch: Path) -> None:
    before = _prints()
    _edit(
        scratch / "sources" / f"{OKTA}.yaml",
        lambda text: "# reviewed\n" + text.replace("rate(5 minutes)", "rate(7 minutes)"),
    )
    schema_path = scratch / "schemas" / "sources" / f"{DUO}.schema.json"
    schema = json.loads(schema_path.read_text())
    schema_path.write_text(json.dumps(dict(reversed(list(schema.items()))), indent=4))
    assert _moved(before, _prints()) == set()


def test_fingerprints_move_for_every_source_when_the_mozdef_contract_changes(scratch: Path) -> None:
    before = _prints()
    contract_path = scratch / "schemas" / "mozdef-event.schema.json"
    contract = json.loads(contract_path.read_text())
    contract["description"] = "tightened"
    contract_path.write_text(json.dumps(contract))
    assert _moved(before, _prints()) == set(SOURCES)


def test_fingerprints_move_when_the_hooks_code_changes(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook_file = tmp_path / "efw_test_hook.py"
    hook_file.write_text("def enrich(event, raw):\n    return event\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    definition = replace(load_source(GUARDDUTY), hook="efw_test_hook:enrich")
    before = source_fingerprint(definition, {})
    hook_file.write_text("def enrich(event, raw):\n    event['tags'].append('x')\n    return event\n")
    assert source_fingerprint(definition, {}) != before


def test_fingerprints_file_round_trips_and_names_its_problem(tmp_path: Path) -> None:
    path = tmp_path / "source-fingerprints.json"
    path.write_text(fingerprints_text({OKTA: "a" * 16, DUO: "b" * 16}))
    assert read_fingerprints(path) == {OKTA: "a" * 16, DUO: "b" * 16}
    path.write_text('["okta"]')
    with pytest.raises(FingerprintFileError, match="not an object"):
        read_fingerprints(path)
    with pytest.raises(FingerprintFileError, match="efw fingerprints --out"):
        read_fingerprints(tmp_path / "missing.json")


def test_changed_sources_lists_the_changed_and_the_new_not_the_same_or_the_removed() -> None:
    current = {"a": "1", "b": "2", "c": "3"}
    recorded = {"a": "1", "b": "0", "gone": "9"}
    assert changed_sources(current, recorded) == [
        Change("b", ChangeReason.CHANGED),
        Change("c", ChangeReason.NEW),
    ]


def test_changed_sources_without_a_record_lists_every_source() -> None:
    assert changed_sources({"b": "2", "a": "1"}, None) == [
        Change("a", ChangeReason.NO_RECORD),
        Change("b", ChangeReason.NO_RECORD),
    ]


def test_next_record_keeps_the_old_fingerprint_of_a_failed_source() -> None:
    current = {"a": "new-a", "b": "new-b", "c": "new-c"}
    recorded = {"a": "old-a", "b": "old-b"}
    # a failed and had a record: keep it; c failed and is new: leave it out, so it counts as new again.
    assert next_record(current, recorded, {"a", "c"}) == {"a": "old-a", "b": "new-b"}


class _FakeOps:
    """An in-memory reprocess backend: every execution succeeds having examined `examined` letters."""

    def __init__(self, examined: int) -> None:
        self.examined = examined
        self.started: list[tuple[str | None, bool, int | None]] = []

    def reprocess(
        self, source: str | None, *, dry_run: bool = False, max_events: int | None = None
    ) -> ReprocessReport:
        self.started.append((source, dry_run, max_events))
        return ReprocessReport(f"arn:{source}", "SUCCEEDED", {"examined": self.examined, "published": 1})


def test_reprocess_changed_names_the_sources_stopped_at_the_cap(tmp_path: Path) -> None:
    record = FileRecord(tmp_path / "published.json")
    record.save({"a": "1", "b": "2"})
    ops = _FakeOps(examined=5)
    outcome = reprocess_changed(ops, record, {"a": "1", "b": "3"}, dry_run=False, max_events=5)
    assert ops.started == [("b", False, 5)]
    assert outcome.capped() == ["b"]
    assert "stopped at 5 dead letters; for the rest: efw reprocess b" in render(outcome)
    assert record.load() == {"a": "1", "b": "3"}
