"""GuardDuty findings from tests/fixtures/aws-guardduty, shared by this folder's tests (a module
with its own name: several test folders have a conftest, and `from conftest import` would pick
whichever was imported first)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws-guardduty"
FINDINGS = ["ssh-brute-force", "credential-exfiltration", "port-probe", "dns-command-and-control"]


def finding(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(loaded)
