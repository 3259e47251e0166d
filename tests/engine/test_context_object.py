"""`$$.Execution` as the AWS context-object page documents it, and `efw sfn run --context`.

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
from eventframework.local.engine import Engine, VirtualClock

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
