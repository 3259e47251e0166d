"""Static validation messages, SAM template loading with substitutions, and the `efw sfn` commands."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

import pytest

from eventframework.local.commands import sfn
from eventframework.local.engine import DefinitionError, Engine, VirtualClock, validate_definition
from eventframework.local.engine.from_template import TemplateError, load_state_machine

SAMPLE = Path(__file__).resolve().parents[2] / "statemachines" / "samples" / "retry-map-parallel.asl.json"


def test_validate_reports_each_problem_with_state_and_field() -> None:
    definition = {
        "StartAt": "Go",
        "Extra": 1,
        "States": {
            "Go": {"Type": "Pass", "Next": "Missing", "Colour": "red"},
            "Call": {"Type": "Task", "Resource": "${FetchPageFunctionArn}", "End": True},
            "Retrying": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL", "X"], "BackoffRate": 0.5}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}],
                "End": True,
            },
        },
    }
    problems = validate_definition(definition)
    expected_fragments = [
        "definition: unknown field 'Extra'",
        "state 'Go': unknown field 'Colour'",
        "state 'Go': field 'Next' names 'Missing'",
        "state 'Call': field 'Resource' has an unsubstituted placeholder",
        "state 'Retrying': field 'Retry[0].ErrorEquals': States.ALL must appear alone",
        "state 'Retrying': field 'Retry[0].BackoffRate' must be a number >= 1",
        "state 'Retrying': field 'Catch[0].Next' names 'Nowhere'",
        "state 'Call': unreachable from StartAt 'Go'",
    ]
    for fragment in expected_fragments:
        assert any(fragment in problem for problem in problems), (fragment, problems)


def test_validate_requires_a_terminal_state_and_known_resources() -> None:
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
    assert any("no terminal state" in p for p in validate_definition(loop))
    unknown = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::glue:nope", "End": True}},
    }
    assert any("not a resource this engine can run" in p for p in validate_definition(unknown))


def test_register_refuses_invalid_definition() -> None:
    with pytest.raises(DefinitionError, match="StartAt"):
        Engine(clock=VirtualClock()).register(
            {"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}, name="bad"
        )


def write_project(tmp_path: Path) -> Path:
    code = tmp_path / "src" / "demo_handlers"
    code.mkdir(parents=True)
    (code / "__init__.py").write_text("")
    (code / "fetch.py").write_text(
        "def lambda_handler(event, context):\n    return {'fetched': event, 'by': context.function_name}\n"
    )
    (tmp_path / "machine.asl.json").write_text(
        json.dumps(
            {
                "Comment": "template test",
                "StartAt": "Fetch",
                "States": {
                    "Fetch": {"Type": "Task", "Resource": "${FetchFunctionArn}", "Next": "Describe"},
                    "Describe": {
                        "Type": "Pass",
                        "Parameters": {"table": "${TableName}", "queue": "${QueueUrl}", "stage": "${Stage}"},
                        "ResultPath": "$.described",
                        "End": True,
                    },
                },
            }
        )
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                CodeUri: src/
                Runtime: python3.11
            Resources:
              FetchFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: demo_handlers.fetch.lambda_handler
              StateTable:
                Type: AWS::DynamoDB::Table
              PullStateMachine:
                Type: AWS::Serverless::StateMachine
                Properties:
                  DefinitionUri: machine.asl.json
                  DefinitionSubstitutions:
                    FetchFunctionArn: !GetAtt FetchFunction.Arn
                    TableName: !Ref StateTable
                    QueueUrl: !Sub "https://sqs.${AWS::Region}.example/${AWS::AccountId}/events"
                    Stage: dev
            """
        )
    )
    return template


def test_template_substitutions_and_function_binding(tmp_path: Path) -> None:
    template = write_project(tmp_path)
    seen: list[tuple[str, str | None]] = []

    def resolver(logical_id: str, attribute: str | None) -> str:
        seen.append((logical_id, attribute))
        return f"local-{logical_id}"

    engine = Engine(clock=VirtualClock())
    machine = engine.register_from_template(template, "PullStateMachine", resolver=resolver)
    execution = engine.start(machine.arn, {"page": 1})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["fetched"] == {"page": 1}
    assert execution.output["by"] == "FetchFunction"
    assert execution.output["described"] == {
        "table": "local-StateTable",
        "queue": "https://sqs.us-east-1.example/123456789012/events",
        "stage": "dev",
    }
    assert seen == [("StateTable", None)]


def test_template_unknown_logical_id_lists_state_machines(tmp_path: Path) -> None:
    template = write_project(tmp_path)
    with pytest.raises(TemplateError, match="PullStateMachine"):
        load_state_machine(template, "Nope")


def test_template_reference_without_resolver_says_how_to_fix(tmp_path: Path) -> None:
    template = write_project(tmp_path)
    with pytest.raises(TemplateError, match="resolver"):
        load_state_machine(template, "PullStateMachine")


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="efw")
    sfn.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def test_cli_run_sample_prints_status_output_and_history(capsys: pytest.CaptureFixture[str]) -> None:
    from eventframework.local.samples import reset_attempts

    reset_attempts()
    code = run_cli(
        [
            "sfn",
            "run",
            str(SAMPLE),
            "--input",
            '{"items": [{"id": "a"}]}',
            "--lambda",
            "FlakyFunction=eventframework.local.samples:flaky_handler",
            "--history",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "status: SUCCEEDED" in out
    assert '"attempts": 3' in out
    assert out.count("TaskFailed") == 2
    assert "ExecutionSucceeded" in out


def test_cli_run_failure_prints_error_and_returns_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fail.asl.json"
    path.write_text(
        json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}})
    )
    assert run_cli(["sfn", "run", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error: E" in out
    assert "cause: C" in out


def test_cli_validate_template_reference_and_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_project(tmp_path)
    assert run_cli(["sfn", "validate", f"{template}#PullStateMachine"]) == 0
    assert "valid" in capsys.readouterr().out
    bad = tmp_path / "bad.asl.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}))
    assert run_cli(["sfn", "validate", str(bad)]) == 1
    assert "exactly one of fields 'Next' and 'End'" in capsys.readouterr().out


def test_cli_bad_lambda_binding_explains_format() -> None:
    with pytest.raises(sfn.CommandError, match="ARN=module:function"):
        sfn.parse_binding("no-equals-sign")
