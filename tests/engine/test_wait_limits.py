"""The Wait state's limits and the `States.Runtime` causes AWS gives for its path fields.

Sources. The Wait state page
(https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html): `Seconds` is an integer from
0 to 99999999, exactly one of the four fields is given, a timestamp counts up to seconds and drops
milliseconds. AWS's recorded causes, from LocalStack's AWS-validated snapshots:
`tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json` (SecondsPath -1, 1.5, -1.5; a
TimestampPath 24855 days ahead is accepted, 24856 days ahead fails "Wait state delay is too long.")
and `tests/aws/services/stepfunctions/v2/logs/test_logs.snapshot.json` (a SecondsPath that matches
nothing: "does not reference an input value"). Not recorded, and so inferred: a TimestampPath that
matches nothing words it as SecondsPath does; an integer beyond a Java long "cannot be parsed as a
long value"; the delay limit sits at 2**31 - 1 seconds, the int bound between the two recorded days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from engine_support import START, RunMachine, single

from eventframework.local.engine import VirtualClock, validate_definition
from eventframework.local.engine.clock import iso_timestamp

PREFIX = "An error occurred while executing the state 'Only' (entered at the event id #2). "
SECONDS_PATH = single({"Type": "Wait", "SecondsPath": "$.input.waitSeconds"})
TIMESTAMP_PATH = single({"Type": "Wait", "TimestampPath": "$.start_at"})


@pytest.mark.parametrize(
    ("execution_input", "cause"),
    [
        ({}, "The SecondsPath parameter does not reference an input value: $.input.waitSeconds"),
        (
            {"input": {"waitSeconds": -1}},
            "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1",
        ),
        (
            {"input": {"waitSeconds": 1.5}},
            "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5",
        ),
        (
            {"input": {"waitSeconds": -1.5}},
            "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == -1.5",
        ),
        (
            {"input": {"waitSeconds": 2**63}},
            f"The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == {2**63}",
        ),
        ({"input": {"waitSeconds": 2**31}}, "Wait state delay is too long."),
    ],
)
def test_wait_seconds_path_fails_with_aws_cause(
    run_machine: RunMachine, execution_input: Any, cause: str
) -> None:
    execution = run_machine(SECONDS_PATH, execution_input)

    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "States.Runtime",
        PREFIX + cause,
    )


def test_wait_seconds_path_up_to_the_int_limit_waits_that_long(
    run_machine: RunMachine, clock: VirtualClock
) -> None:
    execution = run_machine(SECONDS_PATH, {"input": {"waitSeconds": 2**31 - 1}})

    assert execution.status == "SUCCEEDED"
    assert clock.slept == [2**31 - 1]


def test_wait_timestamp_path_that_matches_nothing_fails_with_aws_cause(run_machine: RunMachine) -> None:
    execution = run_machine(TIMESTAMP_PATH, {"other": 1})

    assert (
        execution.cause
        == PREFIX + "The TimestampPath parameter does not reference an input value: $.start_at"
    )
    assert execution.error == "States.Runtime"


@pytest.mark.parametrize(("days", "status"), [(24855, "SUCCEEDED"), (24856, "FAILED")])
def test_wait_timestamp_path_far_ahead_is_too_long_past_the_recorded_boundary(
    run_machine: RunMachine, days: int, status: str
) -> None:
    start_at = (START + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    execution = run_machine(TIMESTAMP_PATH, {"start_at": start_at})

    assert execution.status == status
    if status == "FAILED":
        assert execution.cause == PREFIX + "Wait state delay is too long."


def test_wait_timestamp_counts_whole_seconds_and_drops_milliseconds(
    run_machine: RunMachine, clock: VirtualClock
) -> None:
    target = iso_timestamp(START + timedelta(seconds=10, milliseconds=900))

    run_machine(single({"Type": "Wait", "Timestamp": target}))

    assert clock.slept == [10]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"Seconds": 100000000}, "field 'Seconds' must be an integer from 0 to 99999999, got 100000000"),
        ({"Seconds": -1}, "field 'Seconds' must be an integer from 0 to 99999999, got -1"),
        ({"Seconds": 1.5}, "field 'Seconds' must be an integer from 0 to 99999999, got 1.5"),
        ({"Seconds": 1, "SecondsPath": "$.s"}, "exactly one of fields Seconds, SecondsPath, Timestamp"),
        ({}, "exactly one of fields Seconds, SecondsPath, Timestamp, TimestampPath is required, got []"),
    ],
)
def test_wait_validation_holds_the_documented_field_rules(fields: dict[str, Any], problem: str) -> None:
    problems = validate_definition(single({"Type": "Wait", **fields}))

    assert any(problem in text for text in problems), problems


def test_wait_validation_accepts_the_documented_maximum() -> None:
    assert validate_definition(single({"Type": "Wait", "Seconds": 99999999})) == []
