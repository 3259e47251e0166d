"""`$$` as the AWS context-object page documents it and AWS recorded it, and `efw sfn run --context`.

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html: Execution has
Id, Input, Name, RoleArn, StartTime, RedriveCount ("0, if you've not yet redriven an execution") and
RedriveTime ("only available if you've redriven an execution"); times are ISO 8601 with
milliseconds, as in the page's example "2019-03-26T20:14:13.192Z".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.commands.sfn import CommandError, parse_context
from eventframework.local.engine import Engine, VirtualClock, validate_definition

ARN = "arn:aws:lambda:us-east-1:123456789012:function:flaky"
START = datetime(2019, 3, 26, 20, 14, 13, 192000, tzinfo=UTC)


def _machine(engine: Engine, handler: Any) -> str:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": ARN,
                "Parameters": {"execution.$": "$$.Execution"},
                "End": True,
            }
        },
    }
    return engine.register(definition, name="stateMachineName", lambdas={ARN: handler}).arn


def test_context_execution_holds_every_documented_field_and_no_redrive_time_before_a_redrive() -> None:
    engine = Engine(clock=VirtualClock(START), role_arn="arn:aws:iam::123456789012:role/recorded")
    execution = engine.start(_machine(engine, lambda event, _context: event), {"key": "value"}, name="run-1")
    assert execution.output["execution"] == {
        "Id": "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:run-1",
        "Input": {"key": "value"},
        "Name": "run-1",
        "RoleArn": "arn:aws:iam::123456789012:role/recorded",
        "StartTime": "2019-03-26T20:14:13.192Z",
        "RedriveCount": 0,
    }


def test_context_execution_of_a_redriven_execution_has_its_redrive_count_and_time() -> None:
    clock = VirtualClock(START)
    engine = Engine(clock=clock)
    attempts: list[int] = []

    def fails_once(event: Any, _context: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        return event

    execution = engine.start(_machine(engine, fails_once))
    assert execution.status == "FAILED"
    clock.advance(60)
    redriven = engine.redrive(execution.arn)
    assert redriven.output["execution"]["RedriveCount"] == 1
    assert redriven.output["execution"]["RedriveTime"] == "2019-03-26T20:15:13.192Z"
    assert redriven.output["execution"]["StartTime"] == "2019-03-26T20:14:13.192Z"


def test_sfn_run_context_sets_the_name_role_and_start_time_of_a_replayed_execution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventframework.local.cli import main

    definition = {
        "StartAt": "Show",
        "States": {"Show": {"Type": "Pass", "Parameters": {"execution.$": "$$.Execution"}, "End": True}},
    }
    path = tmp_path / "show.asl.json"
    path.write_text(json.dumps(definition))
    context = {
        "Execution": {
            "Name": "recorded",
            "RoleArn": "arn:aws:iam::1:role/r",
            "StartTime": "2024-05-01T12:00:00.000Z",
        }
    }
    assert main(["sfn", "run", str(path), "--context", json.dumps(context)]) == 0
    shown = json.loads(capsys.readouterr().out.split("\n", 1)[1])["execution"]
    assert (shown["Name"], shown["RoleArn"], shown["StartTime"]) == (
        "recorded",
        "arn:aws:iam::1:role/r",
        "2024-05-01T12:00:00.000Z",
    )
    assert shown["Id"].endswith(":execution:show:recorded")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"State": {}}', "only the execution's values"),
        ('{"Execution": {"Input": {}}}', "Execution.Input cannot be set; use Name, RoleArn, StartTime"),
        ('{"Execution": {"StartTime": "yesterday"}}', "is not an ISO 8601 time"),
    ],
)
def test_sfn_run_context_refuses_what_it_cannot_set_and_says_what_it_can(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_context(text)


# The whole `$$` AWS recorded for a Pass state (LocalStack's AWS-validated snapshot
# tests/aws/services/stepfunctions/v2/context_object/test_context_object.snapshot.json,
# test_input_path[$$]): State has Name and EnteredTime only; RetryCount belongs to the states that
# take a Retry field (the same suite's Task and Map recordings carry it).
def test_context_object_of_a_pass_state_has_the_fields_aws_recorded() -> None:
    engine = Engine(clock=VirtualClock(START.replace(microsecond=192654)), role_arn="arn:aws:iam::1:role/r")
    definition = {
        "StartAt": "TestState",
        "States": {"TestState": {"Type": "Pass", "InputPath": "$$", "End": True}},
    }
    machine = engine.register(definition, name="stateMachineName")

    context = engine.start(machine.arn, {"input-value": 0}, name="run-1").output

    assert {key: sorted(node) for key, node in context.items()} == {
        "Execution": ["Id", "Input", "Name", "RedriveCount", "RoleArn", "StartTime"],
        "State": ["EnteredTime", "Name"],
        "StateMachine": ["Id", "Name"],
    }
    assert context["State"] == {"Name": "TestState", "EnteredTime": "2019-03-26T20:14:13.192Z"}
    assert context["StateMachine"] == {
        "Id": "arn:aws:states:us-east-1:123456789012:stateMachine:stateMachineName",
        "Name": "stateMachineName",
    }


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Task", "Resource": ARN, "Parameters": {"state.$": "$$.State"}},
        {
            "Type": "Parallel",
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
            "ResultSelector": {"state.$": "$$.State"},
        },
        {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            "ResultSelector": {"state.$": "$$.State"},
        },
    ],
    ids=["Task", "Parallel", "Map"],
)
def test_context_object_state_counts_retries_in_states_that_retry(state: dict[str, Any]) -> None:
    engine = Engine(clock=VirtualClock(START))
    definition = {"StartAt": "Work", "States": {"Work": {**state, "End": True}}}
    machine = engine.register(definition, name="m", lambdas={ARN: lambda event, _context: event})

    output = engine.start(machine.arn, {"items": [1]}).output

    assert output["state"] == {"Name": "Work", "EnteredTime": "2019-03-26T20:14:13.192Z", "RetryCount": 0}


def test_context_object_in_an_item_selector_adds_the_map_item() -> None:
    engine = Engine(clock=VirtualClock(START))
    processor = {"StartAt": "Show", "States": {"Show": {"Type": "Pass", "End": True}}}
    each = {"Type": "Map", "ItemSelector": {"map.$": "$$.Map"}, "ItemProcessor": processor, "End": True}
    machine = engine.register({"StartAt": "Each", "States": {"Each": each}}, name="m")

    output = engine.start(machine.arn, ["a", {"b": 1}]).output

    assert output == [
        {"map": {"Item": {"Index": 0, "Value": "a"}}},
        {"map": {"Item": {"Index": 1, "Value": {"b": 1}}}},
    ]


def test_context_object_task_token_callback_is_refused_rather_than_run_without_a_token() -> None:
    # The page's `$$.Task.Token` exists only for `.waitForTaskToken` tasks, which wait for
    # SendTaskSuccess; the engine does not run callbacks, and validation says so.
    definition = {
        "StartAt": "Callback",
        "States": {
            "Callback": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }

    problems = validate_definition(definition)

    assert any("callback pattern (.waitForTaskToken)" in problem for problem in problems), problems
