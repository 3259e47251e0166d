"""Retry timing on the virtual clock and Catch precedence, following the AWS error-handling docs."""

from __future__ import annotations

import json
from typing import Any

from engine_support import RunMachine, single

from eventframework.local.engine import VirtualClock
from eventframework.local.engine.definition import Retrier
from eventframework.local.engine.retry import backoff_delay

FN = "arn:aws:lambda:us-east-1:123456789012:function:Flaky"


class ThrottledError(Exception):
    pass


class BrokenError(Exception):
    pass


def failing(times: int, error: type[Exception] = ThrottledError) -> Any:
    calls: list[int] = []

    def handler(event: Any, context: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise error(f"call {len(calls)}")
        return {"calls": len(calls)}

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def test_retry_backoff_waits_interval_times_rate_on_virtual_clock(
    run_machine: RunMachine, clock: VirtualClock
) -> None:
    # AWS docs: IntervalSeconds 3, BackoffRate 2 -> waits 3, 6, 12 seconds.
    retry = [{"ErrorEquals": ["ThrottledError"], "IntervalSeconds": 3, "MaxAttempts": 3, "BackoffRate": 2}]
    execution = run_machine(single({"Type": "Task", "Resource": FN, "Retry": retry}), {}, {FN: failing(3)})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"calls": 4}
    assert clock.slept == [3, 6, 12]


def test_retry_max_delay_caps_each_wait(run_machine: RunMachine, clock: VirtualClock) -> None:
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 4, "MaxDelaySeconds": 15}]
    run_machine(single({"Type": "Task", "Resource": FN, "Retry": retry}), {}, {FN: failing(4)})
    assert clock.slept == [10, 15, 15, 15]


def test_retry_full_jitter_stays_between_zero_and_backoff() -> None:
    retrier = Retrier(("States.ALL",), interval_seconds=4, backoff_rate=2, jitter_strategy="FULL")
    assert backoff_delay(retrier, 2, rng=lambda: 0.5) == 8.0
    assert backoff_delay(retrier, 2, rng=lambda: 0.0) == 0.0


def test_retry_exhausted_fails_with_lambda_error_shape(run_machine: RunMachine) -> None:
    retry = [{"ErrorEquals": ["ThrottledError"], "MaxAttempts": 1}]
    execution = run_machine(single({"Type": "Task", "Resource": FN, "Retry": retry}), {}, {FN: failing(5)})
    assert execution.status == "FAILED"
    assert execution.error == "ThrottledError"
    cause = json.loads(execution.cause or "")
    assert cause["errorType"] == "ThrottledError"
    assert cause["errorMessage"] == "call 2"
    assert set(cause) == {"errorMessage", "errorType", "requestId", "stackTrace"}


def test_retry_max_attempts_zero_never_retries(run_machine: RunMachine, clock: VirtualClock) -> None:
    retry = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]
    handler = failing(1)
    execution = run_machine(single({"Type": "Task", "Resource": FN, "Retry": retry}), {}, {FN: handler})
    assert execution.status == "FAILED"
    assert len(handler.calls) == 1
    assert clock.slept == []


def test_retry_first_matching_retrier_wins_with_its_own_count(run_machine: RunMachine) -> None:
    retry = [
        {"ErrorEquals": ["BrokenError"], "MaxAttempts": 0},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5},
    ]
    handler = failing(1, BrokenError)
    execution = run_machine(single({"Type": "Task", "Resource": FN, "Retry": retry}), {}, {FN: handler})
    assert execution.status == "FAILED"
    assert len(handler.calls) == 1


def test_catch_first_matching_catcher_wins_and_result_path_keeps_input(run_machine: RunMachine) -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": FN,
                "Catch": [
                    {"ErrorEquals": ["ThrottledError"], "ResultPath": "$.error", "Next": "Specific"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Generic"},
                ],
                "End": True,
            },
            "Specific": {"Type": "Pass", "End": True},
            "Generic": {"Type": "Pass", "End": True},
        },
    }
    execution = run_machine(definition, {"keep": 1}, {FN: failing(9)})
    assert execution.status == "SUCCEEDED"
    assert execution.output["keep"] == 1
    assert execution.output["error"]["Error"] == "ThrottledError"
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in execution.history if e["type"] == "PassStateEntered"
    ]
    assert entered == ["Specific"]


def test_catch_states_all_does_not_catch_runtime_errors(run_machine: RunMachine) -> None:
    definition = {
        "StartAt": "Bad",
        "States": {
            "Bad": {
                "Type": "Task",
                "Resource": FN,
                "InputPath": "$.missing",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = run_machine(definition, {}, {FN: failing(0)})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_catch_task_failed_matches_lambda_errors_but_not_timeout(run_machine: RunMachine) -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": FN,
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    assert run_machine(definition, {}, {FN: failing(9)}).status == "SUCCEEDED"


def test_task_timeout_on_virtual_clock_is_states_timeout(
    run_machine: RunMachine, clock: VirtualClock
) -> None:
    def slow(event: Any, context: Any) -> Any:
        clock.advance(30)
        return {}

    execution = run_machine(single({"Type": "Task", "Resource": FN, "TimeoutSeconds": 10}), {}, {FN: slow})
    assert execution.status == "FAILED"
    assert execution.error == "States.Timeout"
