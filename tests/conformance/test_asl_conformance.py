"""Runs the 451 executions recorded against real AWS Step Functions (../shared/conformance/asl) on the
local engine and compares status, output or error/cause with the README's placeholder rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.engine import run

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "asl" / "cases.json"
PLACEHOLDER = re.compile(r"<[^<>]+>")
# Known differences from AWS, each with its reason; strict so a fix is noticed.
EXPECTED_FAILURES: dict[str, str] = {}


def _load_cases() -> list[Any]:
    if not CASES_FILE.exists():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"{CASES_FILE} is absent (clone shared/ next to the repo)"),
            )
        ]
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    params = []
    for case in cases:
        marks = []
        if case["name"] in EXPECTED_FAILURES:
            marks.append(pytest.mark.xfail(reason=EXPECTED_FAILURES[case["name"]], strict=True))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def _bind(token: str, value: Any, binds: dict[str, str]) -> bool:
    if not re.search(r"\d", token):
        return True
    return binds.setdefault(token, json.dumps(value)) == json.dumps(value)


def _match(expected: Any, actual: Any, binds: dict[str, str]) -> bool:
    if isinstance(expected, str) and PLACEHOLDER.search(expected):
        if PLACEHOLDER.fullmatch(expected):
            return _bind(expected, actual, binds)
        pattern = "(.*?)".join(map(re.escape, PLACEHOLDER.split(expected)))
        found = re.fullmatch(pattern, actual, re.S) if isinstance(actual, str) else None
        tokens = PLACEHOLDER.findall(expected)
        return found is not None and all(
            _bind(t, v, binds) for t, v in zip(tokens, found.groups(), strict=True)
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(_match(expected[key], actual[key], binds) for key in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(_match(e, a, binds) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool) or not isinstance(expected, (int, float)):
        return type(expected) is type(actual) and expected == actual
    return isinstance(actual, (int, float)) and expected == actual


@pytest.mark.conformance
@pytest.mark.parametrize("case", _load_cases())
def test_asl_conformance_matches_aws(case: dict[str, Any]) -> None:
    expected, binds = case["expected"], {}
    status, result = run(case["definition"], case["input"], clock_start=case.get("clock_start"))
    assert status == expected["status"], result
    if status == "SUCCEEDED":
        assert _match(expected["output"], result, binds), result
        return
    error, cause = result
    if isinstance(expected["cause"], (dict, list)):
        cause = json.loads(cause)
    assert _match(expected["error"], error, binds), result
    assert _match(expected["cause"], cause, binds), result
