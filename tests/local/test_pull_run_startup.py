"""A local pull's start-up: the heap frozen for the run (and handed back), the sandbox loaded only if used."""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from eventframework.local.run.heap import YOUNG_GENERATION_OBJECTS, start_up_heap_frozen


def test_start_up_heap_frozen_freezes_for_the_block_and_unfreezes_after() -> None:
    before = gc.get_freeze_count()
    with start_up_heap_frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0


def test_start_up_heap_frozen_lets_a_page_die_young_and_gives_the_thresholds_back() -> None:
    thresholds = gc.get_threshold()
    with start_up_heap_frozen():
        assert gc.get_threshold() == (YOUNG_GENERATION_OBJECTS, *thresholds[1:])
    assert gc.get_threshold() == thresholds
    with pytest.raises(RuntimeError), start_up_heap_frozen():
        raise RuntimeError("engine failed")
    assert gc.get_threshold() == thresholds


def test_start_up_heap_frozen_unfreezes_when_the_run_raises() -> None:
    with pytest.raises(RuntimeError), start_up_heap_frozen():
        raise RuntimeError("engine failed")
    assert gc.get_freeze_count() == 0


def test_efw_run_command_import_leaves_the_sandbox_to_sandbox_runs() -> None:
    probe = (
        "import sys, eventframework.local.commands.run; print('eventframework.local.sandbox' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_efw_run_command_freezes_the_heap_for_the_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process is about to end: its last full collection should not walk the boto3/moto heap."""
    from eventframework.local.commands import run as run_command_module
    from eventframework.local.run.pull import RunSummary

    registered: list[object] = []
    monkeypatch.setattr(run_command_module.atexit, "register", registered.append)
    summary = RunSummary("okta-system-log", "SUCCEEDED")

    class FinishedPull:
        def __init__(self, options: object) -> None:
            self.options = options

        def run(self, progress: object = None) -> RunSummary:
            return summary

        def stop(self, error: str, cause: str) -> None:
            raise AssertionError("no signal was sent")

    monkeypatch.setattr(run_command_module, "LocalPull", FinishedPull)
    args = argparse.Namespace(
        source="okta-system-log",
        template=Path("template.yaml"),
        state_dir=tmp_path,
        out=None,
        base_url=None,
        token_env=None,
        events=10,
        new_events=1,
        seed=7,
        json=True,
    )
    assert run_command_module.run_command(args) == 0
    assert registered == [gc.freeze]
