"""Differential over the recorded AWS executions: every case of `../shared/conformance/asl/cases.json`
on the local engine and on moto's Step Functions interpreter, both judged against what AWS recorded.

None of the cases needs a Lambda or another outside resource (the README of the cases says which
tests were left out for that), so moto runs every one itself (`execute_state_machine`). The test
asserts that the engine matches AWS on every case, and that moto misses AWS on exactly the cases in
`MOTO_DIFFERS`; its report lists each difference with the side that matches AWS. When a moto upgrade
fixes or breaks a case, the test fails with the report and says which entries to change.

Bounded in time: moto runs in-process; its execution threads are joined under one deadline instead
of sleeping and polling, and an execution still running at the deadline is stopped and reported.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from tests.support.aws_cases import ABSENT_REASON, load_cases, matches_aws

from eventframework.local.engine import run

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

ROLE_ARN = "arn:aws:iam::123456789012:role/DifferentialRole"
JOIN_BUDGET_SECONDS = 30.0
SHOWN_CHARACTERS = 240

_NO_JSONATA = (
    "moto 5.2.5 reads variables ($name) through JSONata, which it ships without an evaluator: "
    "States.Runtime, TypeError 'NoneType' object is not callable"
)
_ASSIGN = "tests/aws/services/stepfunctions/v2/assign/"
# Case name -> why moto's result differs from the one AWS recorded.
MOTO_DIFFERS: dict[str, str] = {
    f"{_ASSIGN}test_assign_base.py::TestAssignBase::test_base_cases[{key}]": _NO_JSONATA
    for key in ("BASE_SCOPE_MAP", "BASE_VAR")
} | {
    f"{_ASSIGN}test_assign_reference_variables.py::TestAssignReferenceVariables::{test}": _NO_JSONATA
    for test in (
        "test_assign_in_choice_state[CORRECT]",
        "test_reference_assign[BASE_REFERENCE_IN_CHOICE]",
        "test_reference_assign[BASE_REFERENCE_IN_FAIL]",
        "test_reference_assign[BASE_REFERENCE_IN_INPUTPATH]",
        "test_reference_assign[BASE_REFERENCE_IN_INTRINSIC_FUNCTION]",
        "test_reference_assign[BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE]",
        "test_reference_assign[BASE_REFERENCE_IN_PARAMETERS]",
        "test_reference_in_map_state[MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH]",
        "test_reference_in_map_state[MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH]",
        "test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]",
    )
}


@dataclass(frozen=True)
class Verdict:
    """One case: what AWS recorded, what each interpreter did, and whether each matches AWS."""

    name: str
    aws: dict[str, Any]
    engine: tuple[str, Any]
    moto: tuple[str, Any]

    @property
    def engine_matches(self) -> bool:
        return matches_aws(self.aws, *self.engine)

    @property
    def moto_matches(self) -> bool:
        return matches_aws(self.aws, *self.moto)


def _start_on_moto(client: Any, index: int, case: dict[str, Any]) -> str:
    machine = client.create_state_machine(
        name=f"case{index}", definition=json.dumps(case["definition"]), roleArn=ROLE_ARN
    )
    execution = client.start_execution(
        stateMachineArn=machine["stateMachineArn"], input=json.dumps(case["input"])
    )
    arn: str = execution["executionArn"]
    return arn


def _join_moto_workers(deadline: float) -> None:
    """Wait for moto's execution threads (their Waits and retries take real time) until `deadline`."""
    from moto.stepfunctions.parser.utils import TMP_THREADS

    for thread in list(TMP_THREADS):
        thread.join(max(0.0, deadline - time.monotonic()))


def _moto_result(client: Any, arn: str) -> tuple[str, Any]:
    """DescribeExecution as (status, output) or (status, (error, cause)); unfinished ones stopped."""
    described = client.describe_execution(executionArn=arn)
    if described["status"] == "RUNNING":
        client.stop_execution(executionArn=arn)
        return "RUNNING", f"still running after {JOIN_BUDGET_SECONDS:.0f}s"
    if described["status"] != "SUCCEEDED":
        return described["status"], (described.get("error"), described.get("cause"))
    try:
        return "SUCCEEDED", json.loads(described.get("output", "null"))
    except ValueError:
        return "SUCCEEDED", f"output that is not JSON: {described['output']!r}"


@contextmanager
def _quiet_moto_interpreter() -> Iterator[None]:
    """moto logs every failing execution's component tree at ERROR; the report says what matters."""
    logger = logging.getLogger("moto.stepfunctions")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _run_on_moto(cases: list[dict[str, Any]]) -> dict[str, tuple[str, Any]]:
    with _quiet_moto_interpreter(), moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        started = {case["name"]: _start_on_moto(client, index, case) for index, case in enumerate(cases)}
        _join_moto_workers(time.monotonic() + JOIN_BUDGET_SECONDS)
        return {name: _moto_result(client, arn) for name, arn in started.items()}


@pytest.fixture(scope="module")
def verdicts() -> Iterator[list[Verdict]]:
    cases = load_cases()
    if not cases:
        pytest.skip(ABSENT_REASON)
    moto_results = _run_on_moto(cases)
    yield [
        Verdict(
            case["name"],
            case["expected"],
            run(case["definition"], case["input"], clock_start=case.get("clock_start")),
            moto_results[case["name"]],
        )
        for case in cases
    ]


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def report(verdicts: list[Verdict]) -> str:
    """Every case where the engine and moto disagree about AWS, with the side that matches AWS."""
    differing = [v for v in verdicts if v.engine_matches != v.moto_matches or not v.engine_matches]
    lines = [
        f"{len(verdicts)} recorded AWS executions; engine matches AWS on "
        f"{sum(v.engine_matches for v in verdicts)}, moto on {sum(v.moto_matches for v in verdicts)}.",
    ]
    for verdict in differing:
        side = "engine" if verdict.engine_matches else "moto" if verdict.moto_matches else "neither"
        lines += [
            f"- {verdict.name}: matches AWS: {side}",
            f"    AWS:    {_shown(verdict.aws)}",
            f"    engine: {_shown(verdict.engine)}",
            f"    moto:   {_shown(verdict.moto)}",
        ]
        if verdict.name in MOTO_DIFFERS:
            lines.append(f"    known:  {MOTO_DIFFERS[verdict.name]}")
    return "\n".join(lines)


@pytest.mark.conformance
def test_moto_differential_engine_matches_aws_on_every_recorded_case(verdicts: list[Verdict]) -> None:
    print(report(verdicts))

    wrong = [v.name for v in verdicts if not v.engine_matches]

    assert not wrong, f"the engine differs from AWS on {wrong}\n{report(verdicts)}"


@pytest.mark.conformance
def test_moto_differential_moto_differs_from_aws_only_on_the_known_cases(verdicts: list[Verdict]) -> None:
    differs = {v.name for v in verdicts if not v.moto_matches}

    fixed, new = set(MOTO_DIFFERS) - differs, differs - set(MOTO_DIFFERS)

    assert not fixed and not new, (
        f"moto now matches AWS on {sorted(fixed)} (remove them from MOTO_DIFFERS) and newly differs "
        f"on {sorted(new)} (add them to MOTO_DIFFERS with the reason)\n{report(verdicts)}"
    )
