"""`efw status` against the local state directory after real pulls: healthy, then failed.

Each test pulls through the real state machine and handlers (tests/e2e/harness.py), then runs the
status command on the state directory the run left behind, with the world's source definitions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.commands.status import run_status
from eventframework.local.emulator.environment import patched_environment
from eventframework.local.sandbox import Fault

from .harness import PullWorld, serving_world

OKTA = "okta-system-log"
EVENTS = 300
pytestmark = pytest.mark.e2e


@pytest.fixture
def okta_world(tmp_path: Path) -> Iterator[PullWorld]:
    """A small world: status needs a run's traces, not volume."""
    with serving_world(tmp_path, OKTA, EVENTS, page_size=100) as world:
        yield world


def _status(world: PullWorld, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    capsys.readouterr()
    with patched_environment({"EFW_SOURCES_DIR": str(world.root / "sources")}):
        code = run_status(["--state-dir", str(world.state_dir), *args], clock=time.time)
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in args else out


def test_status_after_a_healthy_run_reports_the_run_and_exits_zero(
    okta_world: PullWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = okta_world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    code, reports = _status(okta_world, capsys, "--json")
    assert code == 0
    [report] = reports
    assert report["source"] == OKTA and report["health"] == "healthy" and report["problems"] == []
    assert report["events_last_run"] == summary.totals["published"] == EVENTS
    assert report["last_run"]["status"] == "SUCCEEDED"
    assert report["last_success_at"] == pytest.approx(time.time(), abs=600)
    assert report["lease_holder"] is None, "a finished run releases its lease"
    assert report["dead_letters"] == 0
    assert 0 <= report["lag_seconds"] < 3600, "the sandbox's events are from the last half hour"
    assert report["next_run"] >= report["last_run"]["started_at"]


def test_status_after_a_failed_run_names_the_failure_and_exits_one(
    okta_world: PullWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    okta_world.sandbox.inject(OKTA, Fault.foreign_next_link(host="evil.example", times=1))
    failed = okta_world.run(OKTA)
    assert failed.status == "FAILED" and failed.failed_execution
    code, text = _status(okta_world, capsys)
    assert code == 1
    assert f"{OKTA}: UNHEALTHY" in text
    assert "FAILED: ForeignHostError" in text
    name = failed.failed_execution.rsplit(":", 1)[-1]
    assert f"lease holder    {name}" in text, "the failed run's lease is still held until it expires"
    assert "no run has succeeded yet" in text


def test_status_after_a_failed_run_is_redriven_is_healthy_again(
    okta_world: PullWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    okta_world.sandbox.inject(OKTA, Fault.foreign_next_link(host="evil.example", times=1))
    failed = okta_world.run(OKTA)
    assert failed.failed_execution
    assert okta_world.run(OKTA, redrive=failed.failed_execution).status == "SUCCEEDED"
    code, reports = _status(okta_world, capsys, "--json", OKTA)
    assert code == 0, reports
    assert reports[0]["health"] == "healthy"
