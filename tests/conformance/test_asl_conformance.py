"""Runs the 451 executions recorded against real AWS Step Functions (../shared/conformance/asl) on the
local engine and compares status, output or error/cause with the README's placeholder rules
(`tests/support/aws_cases.py`)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.aws_cases import ABSENT_REASON, load_cases, matches_aws

from eventframework.local.engine import run

# Known differences from AWS, each with its reason; strict so a fix is noticed.
EXPECTED_FAILURES: dict[str, str] = {}


def _params() -> list[Any]:
    cases = load_cases()
    if not cases:
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT_REASON))]
    params = []
    for case in cases:
        marks = []
        if case["name"] in EXPECTED_FAILURES:
            marks.append(pytest.mark.xfail(reason=EXPECTED_FAILURES[case["name"]], strict=True))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


@pytest.mark.conformance
@pytest.mark.parametrize("case", _params())
def test_asl_conformance_matches_aws(case: dict[str, Any]) -> None:
    status, result = run(case["definition"], case["input"], clock_start=case.get("clock_start"))
    assert matches_aws(case["expected"], status, result), (status, result, case["expected"])
