"""template.yaml's generated per-source resources match sources/*.yaml (run `efw template sync`)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from eventframework.definitions import SourceDefinition, list_sources
from eventframework.local.commands.template import (
    TemplateSyncError,
    logical_name,
    secret_placeholder,
    source_row,
    synced_text,
)
from eventframework.local.template.cfn import load_template

from .conftest import TEMPLATE


def _write_synced(copy: Path, definitions: list[SourceDefinition]) -> None:
    """What `efw template sync` does to a copy, for a catalogue other than sources/."""
    copy.write_text(synced_text(copy, definitions), encoding="utf-8")


def test_template_sync_generated_blocks_match_sources() -> None:
    assert synced_text(TEMPLATE, list_sources()) == TEMPLATE.read_text(encoding="utf-8"), (
        "template.yaml is out of sync with sources/; run `efw template sync`"
    )


def test_template_sync_each_source_has_schedule_and_secret(template: dict[str, Any]) -> None:
    """Checked on the expanded template (the loops run), so it holds for what CloudFormation creates."""
    resources = template["Resources"]
    schedules = {
        logical for logical, resource in resources.items() if resource["Type"] == "AWS::Scheduler::Schedule"
    }
    for definition in list_sources():
        stem = logical_name(definition.id)
        if definition.pulled or definition.webhook is not None:
            secret = resources[f"{stem}Secret"]["Properties"]
            assert secret["Name"] == {"Fn::Sub": ["${NamePrefix}/${Stage}/${Id}", {"Id": definition.id}]}
            assert json.loads(secret["SecretString"]) == secret_placeholder(definition)
        else:  # pushed by AWS through EventBridge: nothing to authenticate
            assert f"{stem}Secret" not in resources
        logical = f"PullStateMachine{stem}Schedule"  # the id SAM gave the ScheduleV2 events before
        if not definition.pulled:  # push-only: arrives through a push channel, never scheduled
            assert logical not in schedules
            continue
        schedule = resources[logical]["Properties"]
        assert schedule["Name"] == definition.id
        assert schedule["GroupName"] == {"Ref": "PullScheduleGroup"}
        assert schedule["Target"]["Arn"] == {"Ref": "PullStateMachine"}
        assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": ["PullScheduleRole", "Arn"]}
        assert schedule["Target"]["Input"] == {"Fn::Sub": ['{"source": "${Id}"}', {"Id": definition.id}]}
        assert schedule["ScheduleExpression"] == definition.schedule
        assert schedule["State"] == ("ENABLED" if definition.enabled else "DISABLED")
    assert len(schedules) == len([definition for definition in list_sources() if definition.pulled])


def test_template_sync_describes_a_source_in_one_row(template: dict[str, Any]) -> None:
    rows = template["Mappings"]["Sources"]
    assert set(rows) == {logical_name(definition.id) for definition in list_sources()}
    for definition in list_sources():
        assert rows[logical_name(definition.id)] == source_row(definition)


def test_template_sync_adds_a_new_source_without_touching_the_rest(tmp_path: Path) -> None:
    copy = tmp_path / "template.yaml"
    copy.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    base = list_sources()[0]
    extra = type(base)(**{**base.__dict__, "id": "zz-acme-audit", "enabled": False})
    text = synced_text(copy, [*list_sources(), extra])
    assert text != copy.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    assert "ZzAcmeAudit: {Id: zz-acme-audit," in text and "State: DISABLED" in text
    assert synced_text(copy, [*list_sources(), extra]) == text  # a second sync changes nothing
    diff = list(difflib.ndiff(TEMPLATE.read_text(encoding="utf-8").splitlines(), text.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    # One row, and the stem in the three collections (whose last line gains it).
    assert len(added) <= 1 + 2 * 3 and len(removed) <= 3, (added, removed)
    assert sum("ZzAcmeAudit" in line for line in added) == 4
    template = load_template(copy)
    for logical in ("PullStateMachineZzAcmeAuditSchedule", "ZzAcmeAuditSecret", "ZzAcmeAuditLagAlarm"):
        assert logical in template["Resources"]
    assert template["Resources"]["PullStateMachineZzAcmeAuditSchedule"]["Properties"]["State"] == "DISABLED"


def test_template_sync_missing_marker_names_the_block(tmp_path: Path) -> None:
    copy = tmp_path / "template.yaml"
    copy.write_text(
        TEMPLATE.read_text(encoding="utf-8").replace("# END GENERATED secret-stems", ""), encoding="utf-8"
    )
    with pytest.raises(TemplateSyncError, match="'secret-stems' has no END marker"):
        synced_text(copy, list_sources())


def test_template_sync_logical_name_is_pascal_case() -> None:
    assert logical_name("okta-system-log") == "OktaSystemLog"
    assert logical_name("onepassword-signin-attempts") == "OnepasswordSigninAttempts"


def test_template_sync_a_source_costs_about_two_lines(tmp_path: Path) -> None:
    """Issue 14: per-source infrastructure comes from one description. Ten more sources (pulled,
    so they get every per-source resource) grow template.yaml by a row each and their names in the
    loops' collections, and the expanded template by five resources each."""
    copy = tmp_path / "template.yaml"
    copy.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    base = list_sources()[0]
    extra = [type(base)(**{**base.__dict__, "id": f"zz-acme-{index}"}) for index in range(10)]
    before = len(copy.read_text(encoding="utf-8").splitlines())
    resources = len(load_template(copy)["Resources"])
    _write_synced(copy, [*list_sources(), *extra])
    assert len(copy.read_text(encoding="utf-8").splitlines()) - before <= 10 * 2
    assert len(load_template(copy)["Resources"]) - resources == 10 * 5  # schedule, secret, 3 alarms


def test_template_sync_forty_sources_stay_under_a_thousand_lines(tmp_path: Path) -> None:
    """Issue 14: template.yaml stays well under 1,000 lines at 40 sources. The hand-written part is
    what grows without a source: keep it compact (one description per source, flow style where a
    mapping fits a line, checkov's function-wide suppressions once in .checkov.yaml)."""
    copy = tmp_path / "template.yaml"
    copy.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    sources = list_sources()
    base = sources[0]
    missing = range(40 - len(sources))
    padding = [type(base)(**{**base.__dict__, "id": f"zz-acme-{index}"}) for index in missing]
    _write_synced(copy, [*sources, *padding][:40])
    assert len(copy.read_text(encoding="utf-8").splitlines()) < 1000
