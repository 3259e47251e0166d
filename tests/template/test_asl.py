"""Every state machine passes asl-validator (the Node tool installed by `npm install`), and retries a
function alike wherever it calls it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO

VALIDATOR = REPO / "node_modules" / ".bin" / "asl-validator"
MACHINES = sorted((REPO / "statemachines").rglob("*.asl.json"))


@pytest.mark.parametrize("path", MACHINES, ids=[str(path.relative_to(REPO)) for path in MACHINES])
def test_asl_validator_accepts_state_machine(path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed; CI installs it and runs asl-validator")
    if not VALIDATOR.exists():
        pytest.skip("asl-validator missing: run `npm install` in the repository")
    completed = subprocess.run(
        [str(VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _tasks(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Task state of a machine, those of its Parallel branches included."""
    for name, state in machine["States"].items():
        if state["Type"] == "Task":
            yield name, state
        for branch in state.get("Branches", ()):
            yield from _tasks(branch)


@pytest.mark.parametrize("path", MACHINES, ids=[str(path.relative_to(REPO)) for path in MACHINES])
def test_asl_tasks_of_one_resource_retry_alike(path: Path) -> None:
    """ASL has no references, so a function called from two states (the pull's first fetch and the
    fetch beside a page's processing) states its Retry twice: held to one policy here."""
    policies: dict[str, tuple[str, Any]] = {}
    for name, state in _tasks(json.loads(path.read_text(encoding="utf-8"))):
        first = policies.setdefault(state["Resource"], (name, state.get("Retry")))
        assert state.get("Retry") == first[1], f"{name!r} retries {state['Resource']} unlike {first[0]!r}"
