"""Map (items, selectors, tolerated failures) and Parallel (outputs, failure) behaviour."""

from __future__ import annotations

from typing import Any

from engine_support import RunMachine, single

FN = "arn:aws:lambda:us-east-1:123456789012:function:Check"


def reject_odd(event: Any, context: Any) -> Any:
    if event % 2:
        raise ValueError(f"odd item {event}")
    return event * 10


def mapped(extra: dict[str, Any]) -> dict[str, Any]:
    processor = {"StartAt": "Check", "States": {"Check": {"Type": "Task", "Resource": FN, "End": True}}}
    return single({"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, **extra})


def test_map_item_selector_sees_context_item_and_variables(run_machine: RunMachine) -> None:
    definition = {
        "StartAt": "Setup",
        "States": {
            "Setup": {"Type": "Pass", "Assign": {"source": "okta"}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "s.$": "$source"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            },
        },
    }
    execution = run_machine(definition, {"items": ["a", "b"]})
    assert execution.output == [{"i": 0, "v": "a", "s": "okta"}, {"i": 1, "v": "b", "s": "okta"}]


def test_map_without_tolerance_fails_with_the_iteration_error(run_machine: RunMachine) -> None:
    execution = run_machine(mapped({}), {"items": [2, 3, 4]}, {FN: reject_odd})
    assert execution.status == "FAILED"
    assert execution.error == "ValueError"


def test_map_tolerated_failure_count_keeps_going_within_threshold(run_machine: RunMachine) -> None:
    execution = run_machine(mapped({"ToleratedFailureCount": 1}), {"items": [2, 3, 4]}, {FN: reject_odd})
    assert execution.status == "SUCCEEDED"
    assert execution.output[0] == 20
    assert execution.output[1]["Error"] == "ValueError"
    assert execution.output[2] == 40


def test_map_tolerated_failure_percentage_exceeded_fails_with_threshold_error(
    run_machine: RunMachine,
) -> None:
    execution = run_machine(
        mapped({"ToleratedFailurePercentage": 40}), {"items": [1, 3, 4]}, {FN: reject_odd}
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.ExceedToleratedFailureThreshold"


def test_map_records_iteration_history_events(run_machine: RunMachine) -> None:
    execution = run_machine(mapped({}), {"items": [2, 4]}, {FN: reject_odd})
    types = [event["type"] for event in execution.history]
    assert types.count("MapIterationStarted") == 2
    assert types.count("MapIterationSucceeded") == 2
    assert types.count("LambdaFunctionSucceeded") == 2
    assert types[-1] == "ExecutionSucceeded"


def test_parallel_outputs_branch_results_in_order(run_machine: RunMachine) -> None:
    branches = [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "first", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.x", "End": True}}},
    ]
    execution = run_machine(single({"Type": "Parallel", "Branches": branches}), {"x": 7})
    assert execution.output == ["first", 7]


def test_parallel_branch_failure_fails_state_and_is_catchable(run_machine: RunMachine) -> None:
    branches = [
        {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "branch 2"}}},
    ]
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": branches,
                "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.failure", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    execution = run_machine(definition, {"n": 1})
    assert execution.output == {"n": 1, "failure": {"Error": "Boom", "Cause": "branch 2"}}
    uncaught = run_machine(single({"Type": "Parallel", "Branches": branches}))
    assert (uncaught.status, uncaught.error, uncaught.cause) == ("FAILED", "Boom", "branch 2")
