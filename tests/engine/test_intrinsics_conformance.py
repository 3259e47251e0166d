"""Intrinsic calls from the executions recorded against AWS, checked against `evaluate_intrinsic` alone.

Only the cases whose definition is one Pass state computing `FunctionResult.$` from the input are
taken here: their expected output is exactly the function's value. The full-engine run of every
case is the conformance suite's job, not this file's.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
from typing import Any

import pytest

from eventframework.local.engine.intrinsics import evaluate_intrinsic
from eventframework.local.engine.reading import PathContext

REPO = pathlib.Path(__file__).resolve().parents[2]
CASES_FILE = pathlib.Path(
    os.environ.get("EFW_ASL_CASES", REPO.parent / "shared" / "conformance" / "asl" / "cases.json")
)
PLACEHOLDER = re.compile(r"<[^<>]+>")


def _function_cases() -> list[dict[str, Any]]:
    if not CASES_FILE.is_file():
        return []
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    picked = []
    for case in cases:
        states = case["definition"]["States"]
        if case["expected"]["status"] != "SUCCEEDED" or len(states) != 1:
            continue
        (state,) = states.values()
        params = state.get("Parameters")
        if state["Type"] == "Pass" and isinstance(params, dict) and list(params) == ["FunctionResult.$"]:
            picked.append(case)
    return picked


CASES = _function_cases()


def _same_json(expected: Any, actual: Any) -> bool:
    """JSON equality with numbers by value and booleans never equal to numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(_same_json(expected[key], actual[key]) for key in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(_same_json(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) or {type(expected), type(actual)} <= {int, float}


@pytest.mark.skipif(not CASES, reason=f"recorded AWS cases not found at {CASES_FILE}")
@pytest.mark.parametrize("case", CASES, ids=[case["name"].split("::")[-1] for case in CASES])
def test_intrinsics_match_recorded_aws_results(case: dict[str, Any]) -> None:
    (state,) = case["definition"]["States"].values()
    expression = state["Parameters"]["FunctionResult.$"]
    machine_name = "ConformanceMachine"
    context = PathContext({"Execution": {"Input": case["input"]}, "StateMachine": {"Name": machine_name}})

    result = evaluate_intrinsic(expression, case["input"], context)

    expected = case["expected"]["output"]["FunctionResult"]
    if expected == "<RandomNumberGenerated>":
        low, high = case["input"]["FunctionInput"]["fst"], case["input"]["FunctionInput"]["snd"]
        assert isinstance(result, int) and low <= result <= high
    elif isinstance(expected, str) and PLACEHOLDER.fullmatch(expected):
        assert result == machine_name  # <ArnPart_0idx>: the state machine's name
    else:
        assert _same_json(expected, result) and expected == result, result


def test_intrinsics_conformance_cases_found() -> None:
    if not CASES_FILE.is_file():
        pytest.skip(f"recorded AWS cases not found at {CASES_FILE}")
    assert len(CASES) >= 60
