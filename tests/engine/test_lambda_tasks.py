"""Lambda tasks: the lambda:invoke response shape, bare ARNs, errors and the context object."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext as PowertoolsContext
from engine_support import RunMachine, single

from eventframework.local.engine import Engine, LambdaContext

FN = "arn:aws:lambda:us-east-1:123456789012:function:Echo"


def echo(event: Any, context: Any) -> Any:
    return {
        "event": event,
        "function": context.function_name,
        "remaining": context.get_remaining_time_in_millis(),
    }


def test_lambda_invoke_result_has_aws_response_shape(run_machine: RunMachine) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": FN, "Payload": {"page.$": "$.page"}},
    }
    execution = run_machine(single(state), {"page": 3}, {FN: echo})
    output = execution.output
    assert set(output) == {
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    }
    assert output["StatusCode"] == 200
    assert output["Payload"]["event"] == {"page": 3}
    assert output["Payload"]["function"] == "Echo"
    types = [event["type"] for event in execution.history]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]


def test_lambda_bare_arn_returns_handler_value_and_lambda_events(run_machine: RunMachine) -> None:
    execution = run_machine(single({"Type": "Task", "Resource": FN}), {"a": 1}, {FN: echo})
    assert execution.output["event"] == {"a": 1}
    types = [event["type"] for event in execution.history]
    assert "LambdaFunctionScheduled" in types
    assert "LambdaFunctionSucceeded" in types


def test_lambda_invoke_by_function_name_and_qualified_arn(run_machine: RunMachine) -> None:
    for function in ("Echo", FN + ":live"):
        state = {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": function},
        }
        assert run_machine(single(state), {}, {FN: echo}).status == "SUCCEEDED"


def test_lambda_exception_surfaces_with_class_name_and_json_cause(run_machine: RunMachine) -> None:
    class RateLimitedError(Exception):
        pass

    def limited(event: Any, context: Any) -> Any:
        raise RateLimitedError("429 from upstream")

    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": FN}}
    execution = run_machine(single(state), {}, {FN: limited})
    assert execution.error == "RateLimitedError"
    cause = json.loads(execution.cause or "")
    assert cause["errorMessage"] == "429 from upstream"
    assert cause["errorType"] == "RateLimitedError"
    assert isinstance(cause["stackTrace"], list)
    failed = next(event for event in execution.history if event["type"] == "TaskFailed")
    assert failed["taskFailedEventDetails"]["error"] == "RateLimitedError"


def test_lambda_unbound_function_is_resource_not_found(run_machine: RunMachine) -> None:
    execution = run_machine(single({"Type": "Task", "Resource": FN}), {}, {})
    assert execution.error == "Lambda.ResourceNotFoundException"


def test_lambda_context_is_accepted_by_powertools_typing(engine: Engine) -> None:
    seen: list[Any] = []

    def handler(event: Any, context: PowertoolsContext) -> Any:
        seen.append((context.aws_request_id, context.invoked_function_arn, context.memory_limit_in_mb))
        return None

    machine = engine.register(single({"Type": "Task", "Resource": FN}), name="ctx", lambdas={FN: handler})
    engine.start(machine.arn, {})
    assert seen[0][1] == FN
    assert isinstance(LambdaContext, type)


def test_payload_over_256_kib_fails_with_data_limit_exceeded(run_machine: RunMachine) -> None:
    def big(event: Any, context: Any) -> Any:
        return "x" * (256 * 1024 + 1)

    execution = run_machine(single({"Type": "Task", "Resource": FN}), {}, {FN: big})
    assert execution.error == "States.DataLimitExceeded"
