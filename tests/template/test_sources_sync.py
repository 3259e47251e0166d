"""template.yaml's generated per-source resources match sources/*.yaml (run `efw template sync`)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from eventframework.definitions import list_sources
from eventframework.local.commands.template import (
    TemplateSyncError,
    logical_name,
    render_block,
    sync,
    synced_text,
)

from .conftest import TEMPLATE


def test_template_sync_generated_blocks_match_sources() -> None:
    assert synced_text(TEMPLATE, list_sources()) == TEMPLATE.read_text(encoding="utf-8"), (
        "template.yaml is out of sync with sources/; run `efw template sync`"
    )


def test_template_sync_each_source_has_schedule_and_secret(template: dict[str, Any]) -> None:
    events = template["Resources"]["PullStateMachine"]["Properties"]["Events"]
    for definition in list_sources():
        stem = logical_name(definition.id)
        if definition.pulled or definition.webhook is not None:
            secret = template["Resources"][f"{stem}Secret"]
            assert secret["Properties"]["Name"] == {"Fn::Sub": f"${{NamePrefix}}/${{Stage}}/{definition.id}"}
        else:  # pushed by AWS through EventBridge: nothing to authenticate
            assert f"{stem}Secret" not in template["Resources"]
        if not definition.pulled:  # push-only: arrives through a push channel, never scheduled
            assert f"{stem}Schedule" not in events
            continue
        schedule = events[f"{stem}Schedule"]
        assert schedule["Type"] == "ScheduleV2"
        assert json.loads(schedule["Properties"]["Input"]) == {"source": definition.id}
        assert schedule["Properties"]["ScheduleExpression"] == definition.schedule
        assert schedule["Properties"]["State"] == ("ENABLED" if definition.enabled else "DISABLED")
    assert len(events) == len([definition for definition in list_sources() if definition.pulled])


def test_template_sync_adds_a_new_source_without_touching_the_rest(tmp_path: Path) -> None:
    copy = tmp_path / "template.yaml"
    copy.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    base = list_sources()[0]
    extra = type(base)(**{**base.__dict__, "id": "acme-audit", "enabled": False})
    assert sync(copy, [*list_sources(), extra]) is True
    text = copy.read_text(encoding="utf-8")
    assert "AcmeAuditSchedule:" in text and "AcmeAuditSecret:" in text and "State: DISABLED" in text
    assert sync(copy, [*list_sources(), extra]) is False
    diff = list(difflib.ndiff(TEMPLATE.read_text(encoding="utf-8").splitlines(), text.splitlines()))
    assert not [line for line in diff if line.startswith("- ")]  # nothing removed or rewritten
    added = [line[2:] for line in diff if line.startswith("+ ")]
    expected = sum(len(render_block(block, [extra])) for block in ("schedules", "secrets", "monitoring"))
    assert len(added) == expected
    assert all("acme" in line.lower() or line.startswith("   ") for line in added)


def test_template_sync_missing_marker_names_the_block(tmp_path: Path) -> None:
    copy = tmp_path / "template.yaml"
    copy.write_text(
        TEMPLATE.read_text(encoding="utf-8").replace("# END GENERATED secrets", ""), encoding="utf-8"
    )
    with pytest.raises(TemplateSyncError, match="'secrets' has no END marker"):
        sync(copy)


def test_template_sync_logical_name_is_pascal_case() -> None:
    assert logical_name("okta-system-log") == "OktaSystemLog"
    assert logical_name("onepassword-signin-attempts") == "OnepasswordSigninAttempts"
