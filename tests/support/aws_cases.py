"""The executions recorded against real AWS Step Functions (`../shared/conformance/asl/cases.json`)
and the one rule that says whether a result matches one of them.

The conformance suite (the engine against AWS) and the moto differential (the engine and moto against
AWS) both judge results here, so the placeholder rules of the cases' README live in one place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "asl" / "cases.json"
ABSENT_REASON = f"{CASES_FILE} is absent (clone shared/ next to the repo)"
PLACEHOLDER = re.compile(r"<[^<>]+>")


def load_cases() -> list[dict[str, Any]]:
    """Every recorded case, or none when the shared checkout is absent (callers skip)."""
    if not CASES_FILE.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return cases


def matches_aws(expected: dict[str, Any], status: str, result: Any) -> bool:
    """Does (status, output) or (status, (error, cause)) match the recorded `expected`?"""
    binds: dict[str, str] = {}
    if status != expected["status"]:
        return False
    if status == "SUCCEEDED":
        return _match(expected["output"], result, binds)
    error, cause = result
    if isinstance(expected["cause"], (dict, list)) and isinstance(cause, str):
        try:
            cause = json.loads(cause)
        except ValueError:
            return False
    return _match(expected["error"], error, binds) and _match(expected["cause"], cause, binds)


def _bind(token: str, value: Any, binds: dict[str, str]) -> bool:
    """Numbered placeholders (`<uuid:1>`) stand for one value throughout a case."""
    if not re.search(r"\d", token):
        return True
    return binds.setdefault(token, json.dumps(value)) == json.dumps(value)


def _match(expected: Any, actual: Any, binds: dict[str, str]) -> bool:
    if isinstance(expected, str) and PLACEHOLDER.search(expected):
        return _match_placeholders(expected, actual, binds)
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


def _match_placeholders(expected: str, actual: Any, binds: dict[str, str]) -> bool:
    if PLACEHOLDER.fullmatch(expected):
        return _bind(expected, actual, binds)
    pattern = "(.*?)".join(map(re.escape, PLACEHOLDER.split(expected)))
    found = re.fullmatch(pattern, actual, re.S) if isinstance(actual, str) else None
    tokens = PLACEHOLDER.findall(expected)
    return found is not None and all(_bind(t, v, binds) for t, v in zip(tokens, found.groups(), strict=True))
