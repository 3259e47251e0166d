"""Redrive (RedriveExecution semantics, Map/Parallel partial redrive), persistence and child runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_support import single

from eventframework.local.engine import Engine, EngineError, Execution, VirtualClock

FN = "arn:aws:lambda:us-east-1:123456789012:function:Work"


class Switch:
    """A handler that fails for chosen inputs until `healed` is set, counting every call."""

    def __init__(self, failing: set[Any]) -> None:
        self.failing = failing
        self.healed = False
        self.calls: list[Any] = []

    def __call__(self, event: Any, context: Any) -> Any:
        self.calls.append(event)
        if not self.healed and event in self.failing:
            raise RuntimeError(f"cannot process {event}")
        return {"done": event}


def pipeline() -> dict[str, Any]:
    return {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": "step-1", "ResultPath": "$.first", "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": FN,
                "InputPath": "$.item",
                "ResultPath": "$.work",
                "End": True,
            },
        },
    }


def test_redrive_resumes_at_failed_state_without_rerunning_succeeded_ones(engine: Engine) -> None:
    handler = Switch({"x"})
    machine = engine.register(pipeline(), name="pipe", lambdas={FN: handler})
    failed = engine.start(machine.arn, {"item": "x"})
    assert failed.status == "FAILED"
    passes_before = [e for e in failed.history if e["type"] == "PassStateEntered"]
    handler.healed = True
    redriven = engine.redrive(failed.arn)
    assert redriven.arn == failed.arn
    assert redriven.status == "SUCCEEDED"
    assert redriven.redrive_count == 1
    assert redriven.output == {"item": "x", "first": "step-1", "work": {"done": "x"}}
    assert [e for e in redriven.history if e["type"] == "PassStateEntered"] == passes_before
    assert "ExecutionRedriven" in [e["type"] for e in redriven.history]


def test_redrive_of_succeeded_execution_is_refused(engine: Engine) -> None:
    machine = engine.register(single({"Type": "Pass"}), name="ok")
    execution = engine.start(machine.arn, {})
    with pytest.raises(EngineError, match="cannot be redriven"):
        engine.redrive(execution.arn)


def test_redrive_map_reruns_only_failed_iterations(engine: Engine) -> None:
    handler = Switch({2})
    processor = {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": FN, "End": True}}}
    definition = single({"Type": "Map", "ItemProcessor": processor, "ItemsPath": "$.items"})
    machine = engine.register(definition, name="map", lambdas={FN: handler})
    failed = engine.start(machine.arn, {"items": [1, 2, 3]})
    assert failed.status == "FAILED"
    handler.healed, handler.calls = True, []
    redriven = engine.redrive(failed.arn)
    assert redriven.output == [{"done": 1}, {"done": 2}, {"done": 3}]
    assert handler.calls == [2, 3]


def test_redrive_parallel_reruns_only_failed_branch(engine: Engine) -> None:
    handler = Switch({"b"})
    branches = [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": FN, "InputPath": "$.a", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": FN, "InputPath": "$.b", "End": True}}},
    ]
    machine = engine.register(
        single({"Type": "Parallel", "Branches": branches}), name="par", lambdas={FN: handler}
    )
    failed = engine.start(machine.arn, {"a": "a", "b": "b"})
    handler.healed, handler.calls = True, []
    assert engine.redrive(failed.arn).output == [{"done": "a"}, {"done": "b"}]
    assert handler.calls == ["b"]


def test_failed_execution_persists_as_json_and_redrives_in_another_engine() -> None:
    handler = Switch({"x"})
    first = Engine(clock=VirtualClock())
    machine = first.register(pipeline(), name="pipe", lambdas={FN: handler})
    record = json.dumps(first.start(machine.arn, {"item": "x"}).to_dict())

    second = Engine(clock=VirtualClock())
    second.register(pipeline(), name="pipe", lambdas={FN: handler})
    restored = Execution.from_dict(json.loads(record))
    assert restored.status == "FAILED"
    second.add_execution(restored)
    handler.healed = True
    assert second.redrive(restored.arn).status == "SUCCEEDED"


def test_start_execution_queues_child_that_runs_after_parent(engine: Engine) -> None:
    child = engine.register(single({"Type": "Pass", "Result": "child ran"}), name="child")
    parent_definition = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution",
            "Parameters": {"StateMachineArn": child.arn, "Input": {"page.$": "$.page"}, "Name": "next-page"},
        }
    )
    parent = engine.register(parent_definition, name="parent")
    execution = engine.start(parent.arn, {"page": 2})
    assert execution.status == "SUCCEEDED"
    assert execution.output["ExecutionArn"].endswith(":execution:child:next-page")
    children = [e for e in engine.executions if e.parent_arn == execution.arn]
    assert len(children) == 1
    assert children[0].status == "SUCCEEDED"
    assert children[0].input == {"page": 2}
    assert children[0].start_date >= execution.start_date


def test_start_execution_of_unknown_machine_fails_with_aws_name(engine: Engine) -> None:
    definition = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution",
            "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:nope"},
        }
    )
    machine = engine.register(definition, name="orphan")
    assert engine.start(machine.arn, {}).error == "StepFunctions.StateMachineDoesNotExistException"


def test_history_events_are_numbered_and_transitions_counted(engine: Engine) -> None:
    machine = engine.register(pipeline(), name="count", lambdas={FN: Switch(set())})
    execution = engine.start(machine.arn, {"item": 1})
    ids = [event["id"] for event in execution.history]
    assert ids == list(range(1, len(ids) + 1))
    assert all(e["previousEventId"] == e["id"] - 1 for e in execution.history)
    assert execution.transitions == 2
