"""Differential suite: the same definitions on the local engine and on moto's Step Functions interpreter.

Only definitions without Lambda tasks (Pass, Choice, Wait, Map, Parallel, Fail, intrinsics), so moto
can run them itself (`execute_state_machine`). Where both should behave as AWS does, the outcomes
(status, output, error, cause) must be equal. Where moto is known to deviate from AWS, the engine is
held to AWS's behaviour and the test also checks that moto still deviates: when a moto upgrade fixes
one, that test fails and tells you to move the case into `AGREEING`.

moto runs each execution on a worker thread; the suite joins those threads (bounded by a timeout)
rather than sleeping and polling.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from eventframework.local.engine.clock import VirtualClock  # noqa: E402
from eventframework.local.engine.engine import Engine  # noqa: E402

ROLE_ARN = "arn:aws:iam::123456789012:role/DifferentialRole"
JOIN_TIMEOUT_SECONDS = 20.0
NESTED_CALL = "States.ArrayGetItem(States.StringSplit($.csv, ','), States.MathAdd(0, 2))"


@dataclass(frozen=True)
class Outcome:
    """What an execution ended with, in the shape DescribeExecution reports it."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None


def _pass_end(branch: str) -> dict[str, Any]:
    # An object, not a bare string: moto 5.2.5 returns a top-level string output without JSON quotes.
    return {"Type": "Pass", "Result": {"branch": branch}, "End": True}


AGREEING: dict[str, tuple[dict[str, Any], Any]] = {
    "pass_intrinsics": (
        {
            "StartAt": "Build",
            "States": {
                "Build": {
                    "Type": "Pass",
                    "Parameters": {
                        "greeting.$": "States.Format('Hello {}, you are {}', $.name, $.age)",
                        "parts.$": "States.StringSplit($.csv, ',')",
                        "chunks.$": "States.ArrayPartition($.items, 2)",
                        "has3.$": "States.ArrayContains($.items, 3)",
                        "range.$": "States.ArrayRange(1, 9, 2)",
                        "third.$": "States.ArrayGetItem($.items, 2)",
                        "count.$": "States.ArrayLength($.items)",
                        "unique.$": "States.ArrayUnique($.dups)",
                        "b64.$": "States.Base64Encode($.name)",
                        "plain.$": "States.Base64Decode('SGVsbG8=')",
                        "sha.$": "States.Hash($.name, 'SHA-256')",
                        "merged.$": "States.JsonMerge($.a, $.b, false)",
                        "parsed.$": "States.StringToJson($.json)",
                        "text.$": "States.JsonToString($.a)",
                        "sum.$": "States.MathAdd($.age, -2)",
                        "arr.$": "States.Array($.name, 1, true)",
                        "nested.$": NESTED_CALL,
                    },
                    "End": True,
                }
            },
        },
        {
            "name": "Ada",
            "age": 36,
            "csv": "a,b,,c",
            "items": [1, 2, 3, 4, 5],
            "dups": [1, 1, "x", "x", 2],
            "a": {"x": 1, "y": {"z": 2}},
            "b": {"y": 3},
            "json": '{"k": [1, 2]}',
        },
    ),
    "choice_loop": (
        {
            "StartAt": "Init",
            "States": {
                "Init": {"Type": "Pass", "Parameters": {"n": 0}, "Next": "Check"},
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 5, "Next": "Done"}],
                    "Default": "Step",
                },
                "Step": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
                "Done": {"Type": "Succeed"},
            },
        },
        {},
    ),
    "choice_combinators": (
        {
            "StartAt": "Route",
            "States": {
                "Route": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.file", "StringMatches": "log-*.txt"},
                                {"Not": {"Variable": "$.skip", "IsPresent": True}},
                                {"Variable": "$.at", "TimestampGreaterThan": "2016-08-18T17:33:00Z"},
                            ],
                            "Next": "Matched",
                        },
                        {"Variable": "$.n", "NumericLessThanPath": "$.limit", "Next": "Other"},
                    ],
                    "Default": "Nothing",
                },
                "Matched": _pass_end("matched"),
                "Other": _pass_end("other"),
                "Nothing": _pass_end("nothing"),
            },
        },
        {"file": "log-2024.txt", "at": "2020-01-01T00:00:00Z", "n": 3, "limit": 2},
    ),
    "choice_type_mismatch_is_false": (
        {
            "StartAt": "Route",
            "States": {
                "Route": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.v", "NumericEquals": 1, "Next": "Number"},
                        {"Variable": "$.v", "StringEquals": "true", "Next": "Text"},
                        {"Variable": "$.v", "IsBoolean": True, "Next": "Bool"},
                    ],
                    "Default": "Nothing",
                },
                "Number": _pass_end("number"),
                "Text": _pass_end("text"),
                "Bool": _pass_end("bool"),
                "Nothing": _pass_end("nothing"),
            },
        },
        {"v": True},
    ),
    "wait_without_delay": (
        {
            "StartAt": "WaitPath",
            "States": {
                "WaitPath": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "WaitPast"},
                "WaitPast": {"Type": "Wait", "Timestamp": "2016-01-01T00:00:00Z", "Next": "Done"},
                "Done": {"Type": "Pass", "Parameters": {"waited.$": "$.delay"}, "End": True},
            },
        },
        {"delay": 0},
    ),
    "map_inline_with_context": (
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemSelector": {
                        "value.$": "$$.Map.Item.Value",
                        "index.$": "$$.Map.Item.Index",
                        "tag.$": "$.tag",
                    },
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "Label",
                        "States": {
                            "Label": {
                                "Type": "Pass",
                                "Parameters": {
                                    "label.$": "States.Format('{}#{}:{}', $.tag, $.index, $.value)"
                                },
                                "End": True,
                            }
                        },
                    },
                    "ResultPath": "$.labels",
                    "End": True,
                }
            },
        },
        {"items": ["a", "b", "c"], "tag": "t"},
    ),
    "parallel_with_result_selector": (
        {
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "Left",
                            "States": {"Left": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True}},
                        },
                        {
                            "StartAt": "Right",
                            "States": {
                                "Right": {
                                    "Type": "Pass",
                                    "Parameters": {"y.$": "States.MathAdd($.x, 10)"},
                                    "End": True,
                                }
                            },
                        },
                    ],
                    "ResultSelector": {"first.$": "$[0]", "second.$": "$[1]"},
                    "ResultPath": "$.both",
                    "End": True,
                }
            },
        },
        {"x": 1},
    ),
    "fail_with_error_and_cause": (
        {
            "StartAt": "Boom",
            "States": {"Boom": {"Type": "Fail", "Error": "CustomError", "Cause": "It broke"}},
        },
        {},
    ),
    "fail_with_intrinsic_cause": (
        {
            "StartAt": "Boom",
            "States": {
                "Boom": {
                    "Type": "Fail",
                    "ErrorPath": "$.code",
                    "CausePath": "States.Format('code {} at {}', $.code, $.place)",
                }
            },
        },
        {"code": "E42", "place": "here"},
    ),
    "parallel_failure_caught": (
        {
            "StartAt": "Try",
            "States": {
                "Try": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "Boom",
                            "States": {"Boom": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}},
                        }
                    ],
                    "Catch": [{"ErrorEquals": ["Oops"], "ResultPath": "$.error", "Next": "Recovered"}],
                    "End": True,
                },
                "Recovered": {"Type": "Pass", "End": True},
            },
        },
        {"keep": 1},
    ),
    "input_result_output_paths": (
        {
            "StartAt": "Shape",
            "States": {
                "Shape": {
                    "Type": "Pass",
                    "InputPath": "$.inner",
                    "Parameters": {"copied.$": "$.v", "state.$": "$$.State.Name"},
                    "ResultPath": "$.out",
                    "OutputPath": "$.out",
                    "End": True,
                }
            },
        },
        {"inner": {"v": [1, {"a": None}]}},
    ),
}


def _choice_machine(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Route",
        "States": {
            "Route": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": _pass_end("yes"),
            "No": _pass_end("no"),
        },
    }


def _pass_machine(parameters: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "Build", "States": {"Build": {"Type": "Pass", "Parameters": parameters, "End": True}}}


# name -> (definition, input, what AWS does; moto 5.2.5 does something else, noted per case)
DEVIATING: dict[str, tuple[dict[str, Any], Any, Outcome]] = {
    # moto: States.Runtime "RuntimeError(('No branching option reached in state %s', 'Route'))".
    "no_choice_matched": (
        {
            "StartAt": "Route",
            "States": {
                "Route": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "One"}],
                },
                "One": {"Type": "Succeed"},
            },
        },
        {"v": 2},
        Outcome("FAILED", None, "States.NoChoiceMatched", None),
    ),
    # moto: compares timestamps with a numeric offset as invalid, so the rule is false.
    "timestamp_with_offset": (
        _choice_machine({"Variable": "$.t", "TimestampEquals": "2016-08-18T17:33:00Z"}),
        {"t": "2016-08-18T19:33:00+02:00"},
        Outcome("SUCCEEDED", {"branch": "yes"}),
    ),
    # moto: States.Runtime "TypeError(unhashable type: 'dict')".
    "array_unique_of_objects": (
        _pass_machine({"u.$": "States.ArrayUnique($.items)"}),
        {"items": [{"k": 1}, {"k": 1}, [2], [2]]},
        Outcome("SUCCEEDED", {"u": [{"k": 1}, [2]]}),
    ),
    # moto: its intrinsic grammar has no `null` literal and drops the argument.
    "null_literal_argument": (
        _pass_machine({"a.$": "States.Array(1, null)"}),
        {},
        Outcome("SUCCEEDED", {"a": [1, None]}),
    ),
    # moto: its JSONPath grammar reads `where` as a keyword and fails with States.Runtime.
    "path_segment_named_where": (
        _pass_machine({"w.$": "$.where"}),
        {"where": "here"},
        Outcome("SUCCEEDED", {"w": "here"}),
    ),
    # moto: returns [11] for the definite path `$[1].y`; AWS returns the value itself.
    "definite_path_into_array_item": (
        _pass_machine({"y.$": "$[1].y"}),
        [{"y": 10}, {"y": 11}],
        Outcome("SUCCEEDED", {"y": 11}),
    ),
}


def run_on_engine(definition: dict[str, Any], execution_input: Any, name: str) -> Outcome:
    engine = Engine(clock=VirtualClock())
    machine = engine.register(definition, name)
    execution = engine.start(machine.arn, execution_input)
    return Outcome(execution.status, execution.output, execution.error, execution.cause)


def _join_moto_workers() -> None:
    from moto.stepfunctions.parser.utils import TMP_THREADS

    for thread in list(TMP_THREADS):
        thread.join(JOIN_TIMEOUT_SECONDS)
        assert not thread.is_alive(), f"moto execution still running after {JOIN_TIMEOUT_SECONDS}s"


def _describe(client: Any, execution_arn: str) -> Outcome:
    described = client.describe_execution(executionArn=execution_arn)
    output = described.get("output")
    return Outcome(
        described["status"],
        json.loads(output) if output else None,
        described.get("error"),
        described.get("cause"),
    )


@pytest.fixture(scope="module")
def moto_outcomes() -> Iterator[dict[str, Outcome]]:
    """Every definition run once on moto inside one mock, keyed by case name."""
    cases = {name: (definition, data) for name, (definition, data) in AGREEING.items()}
    cases.update({name: (definition, data) for name, (definition, data, _) in DEVIATING.items()})
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        started = {}
        for name, (definition, data) in cases.items():
            machine = client.create_state_machine(
                name=name, definition=json.dumps(definition), roleArn=ROLE_ARN
            )
            execution = client.start_execution(
                stateMachineArn=machine["stateMachineArn"], input=json.dumps(data)
            )
            started[name] = execution["executionArn"]
        _join_moto_workers()
        yield {name: _describe(client, arn) for name, arn in started.items()}


@pytest.mark.parametrize("name", list(AGREEING))
def test_moto_differential_engine_matches_moto(name: str, moto_outcomes: dict[str, Outcome]) -> None:
    definition, data = AGREEING[name]

    engine = run_on_engine(definition, data, name)

    assert engine == moto_outcomes[name]


@pytest.mark.parametrize("name", list(DEVIATING))
def test_moto_differential_engine_keeps_aws_behaviour_where_moto_deviates(
    name: str, moto_outcomes: dict[str, Outcome]
) -> None:
    definition, data, aws = DEVIATING[name]

    engine = run_on_engine(definition, data, name)

    assert (engine.status, engine.output, engine.error) == (aws.status, aws.output, aws.error)
    assert moto_outcomes[name] != engine, f"moto now agrees with AWS on {name}: move the case to AGREEING"


def test_moto_differential_no_choice_matched_cause_is_aws_text() -> None:
    definition, data, _ = DEVIATING["no_choice_matched"]

    engine = run_on_engine(definition, data, "no_choice_matched_cause")

    assert engine.cause is not None and "No Matches!" in engine.cause
