"""`ToleratedFailureCountPath` and `ToleratedFailurePercentagePath` on values AWS rejects.

The causes are AWS's, recorded by LocalStack's AWS-validated snapshot test
`tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.py::TestBaseScenarios::
test_map_state_tolerated_failure_{count,percentage}_path` (its `.snapshot.json` holds AWS's
ExecutionFailed events for the inputs `{}`, `"NoNumber"`, -1, -1.1 and 100.1, and successes for
0, 1, 1.1 and 100). The values 1.5 (count) and [50] (percentage) are not in that recording; they
follow from the cause's own wording ("not a valid integer", "not a valid float"). The Map-state
page lists the fields:
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_support import RunMachine

PREFIX = "An error occurred while executing the state 'MapState' (entered at the event id #2). "


def _machine(field: str) -> dict[str, Any]:
    return {
        "StartAt": "MapState",
        "States": {
            "MapState": {
                "Type": "Map",
                "ItemsPath": "$.Items",
                "ItemProcessor": {
                    "StartAt": "HandleItem",
                    "States": {"HandleItem": {"Type": "Pass", "End": True}},
                },
                f"{field}Path": f"$.{field}",
                "End": True,
            }
        },
    }


def _not_valid(field: str, shown: str, kind: str) -> str:
    return f'The {field}Path field refers to value "{shown}" which is not a valid {kind}: $.{field}'


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ({}, _not_valid("ToleratedFailureCount", "{}", "integer")),
        ("NoNumber", _not_valid("ToleratedFailureCount", "NoNumber", "integer")),
        (1.5, _not_valid("ToleratedFailureCount", "1.5", "integer")),
        (-1, "ToleratedFailureCount cannot be negative."),
    ],
)
def test_map_tolerated_failure_count_path_fails_on_what_is_not_a_count(
    run_machine: RunMachine, value: Any, cause: str
) -> None:
    execution = run_machine(_machine("ToleratedFailureCount"), {"Items": [0], "ToleratedFailureCount": value})

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == PREFIX + cause


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ({}, _not_valid("ToleratedFailurePercentage", "{}", "float")),
        ("NoNumber", _not_valid("ToleratedFailurePercentage", "NoNumber", "float")),
        ([50], _not_valid("ToleratedFailurePercentage", "[50]", "float")),
        (-1.1, "ToleratedFailurePercentage must be between 0 and 100."),
        (-1, "ToleratedFailurePercentage must be between 0 and 100."),
        (100.1, "ToleratedFailurePercentage must be between 0 and 100."),
    ],
)
def test_map_tolerated_failure_percentage_path_fails_on_what_is_not_a_percentage(
    run_machine: RunMachine, value: Any, cause: str
) -> None:
    execution = run_machine(
        _machine("ToleratedFailurePercentage"), {"Items": [0], "ToleratedFailurePercentage": value}
    )

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == PREFIX + cause


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ToleratedFailureCount", 0),
        ("ToleratedFailureCount", 1),
        ("ToleratedFailurePercentage", 0),
        ("ToleratedFailurePercentage", 1.1),
        ("ToleratedFailurePercentage", 100),
    ],
)
def test_map_tolerance_paths_accept_what_aws_accepts(run_machine: RunMachine, field: str, value: Any) -> None:
    execution = run_machine(_machine(field), {"Items": [0], field: value})

    assert (execution.status, execution.output) == ("SUCCEEDED", [0])
