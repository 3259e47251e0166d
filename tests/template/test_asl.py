"""Every state machine passes asl-validator (the Node tool installed by `npm install`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
