"""Choice-operator tables recorded against AWS, checked against `select_next` alone.

LocalStack's operator tables run one template (`BASE_TEMPLATE`): a Choice state with one rule on
`$.Variable` and Default, each branch a Pass state whose Result names it. AWS's output therefore
says which branch matched, which is all `select_next` decides.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import pytest

from eventframework.local.engine.choice import select_next, validate_choice_rule
from eventframework.local.engine.reading import PathContext

REPO = pathlib.Path(__file__).resolve().parents[2]
CASES_FILE = pathlib.Path(
    os.environ.get("EFW_ASL_CASES", REPO.parent / "shared" / "conformance" / "asl" / "cases.json")
)


def _choice_cases() -> list[dict[str, Any]]:
    if not CASES_FILE.is_file():
        return []
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return [
        case for case in cases if case["category"] == "choice" and case["expected"]["status"] == "SUCCEEDED"
    ]


CASES = _choice_cases()
TABLE = [case for case in CASES if case["definition"].get("Comment") == "BASE_TEMPLATE"]
OTHER = [case for case in CASES if case["definition"].get("Comment") != "BASE_TEMPLATE"]


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"].split("::", 1)[-1] for case in cases]


@pytest.mark.skipif(not TABLE, reason=f"recorded AWS cases not found at {CASES_FILE}")
@pytest.mark.parametrize("case", TABLE, ids=_ids(TABLE))
def test_choice_operator_table_matches_aws(case: dict[str, Any]) -> None:
    state = case["definition"]["States"]["CheckValues"]
    assert validate_choice_rule(state["Choices"][0]) == []

    chosen = select_next(state["Choices"], state["Default"], case["input"], PathContext())

    assert chosen == case["expected"]["output"]["TestResult.$"]


@pytest.mark.skipif(not OTHER, reason=f"recorded AWS cases not found at {CASES_FILE}")
@pytest.mark.parametrize("case", OTHER, ids=_ids(OTHER))
def test_choice_scenarios_reach_the_state_aws_reached(case: dict[str, Any]) -> None:
    definition = case["definition"]
    state = definition["States"][definition["StartAt"]]
    for rule in state["Choices"]:
        assert validate_choice_rule(rule) == []

    chosen = select_next(state["Choices"], state.get("Default"), case["input"], PathContext())

    # These scenarios end in a Pass state that passes its input through unchanged.
    assert definition["States"][chosen]["Type"] == "Pass"
    expected = "FinishTrue" if case["input"]["result"]["done"] else "FinishFalse"
    assert chosen == expected


def test_choice_conformance_cases_found() -> None:
    if not CASES_FILE.is_file():
        pytest.skip(f"recorded AWS cases not found at {CASES_FILE}")
    assert len(TABLE) >= 280
