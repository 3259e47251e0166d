"""StopExecution on the local engine: it takes effect between states, ends ABORTED, and can be redriven.

AWS: "StopExecution ... the execution status becomes ABORTED" and RedriveExecution accepts ABORTED
executions (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html,
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from eventframework.local.engine import Engine, SystemClock, VirtualClock

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _machine(engine: Engine, lambdas: dict[str, Any]) -> str:
    definition = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Task", "Resource": ARN.format("first"), "Next": "Second"},
            "Second": {"Type": "Task", "Resource": ARN.format("second"), "End": True},
        },
    }
    return engine.register(definition, name="stoppable", lambdas=lambdas).arn


def test_stop_lets_the_running_state_finish_enters_no_other_and_ends_aborted() -> None:
    engine = Engine(clock=VirtualClock())
    calls: list[str] = []

    def first(event: Any, context: Any) -> Any:
        calls.append("first")
        engine.stop("States.Aborted", "SIGINT received")
        return {"done": "first"}

    def second(event: Any, context: Any) -> Any:
        calls.append("second")
        return event

    execution = engine.start(_machine(engine, {ARN.format("first"): first, ARN.format("second"): second}))

    assert calls == ["first"]
    assert (execution.status, execution.error, execution.cause) == (
        "ABORTED",
        "States.Aborted",
        "SIGINT received",
    )
    assert execution.events[-1].type == "ExecutionAborted"
    assert execution.failure_point is not None and execution.failure_point.state == "Second"
    assert execution.failure_point.state_input == {"done": "first"}


def test_an_aborted_execution_redrives_from_the_state_it_never_entered() -> None:
    engine = Engine(clock=VirtualClock())
    seen: list[Any] = []

    def first(event: Any, context: Any) -> Any:
        engine.stop("States.Aborted", "stopped")
        return {"n": 1}

    def second(event: Any, context: Any) -> Any:
        seen.append(event)
        return {"n": 2}

    lambdas = {ARN.format("first"): first, ARN.format("second"): second}
    execution = engine.start(_machine(engine, lambdas))
    later = Engine(clock=VirtualClock())  # the next process: its own engine, the record read back
    _machine(later, lambdas)
    later.add_execution(execution)
    redriven = later.redrive(execution.arn)
    assert redriven.status == "SUCCEEDED" and redriven.output == {"n": 2}
    assert seen == [{"n": 1}]


def test_stop_ends_a_wait_on_the_system_clock_at_once() -> None:
    engine = Engine(clock=SystemClock())
    definition = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}
    machine = engine.register(definition, name="waiting").arn
    threading.Timer(0.2, engine.stop, args=("States.Aborted", "SIGTERM received")).start()
    started = time.monotonic()
    execution = engine.start(machine)
    assert execution.status == "ABORTED"
    assert time.monotonic() - started < 60, "the 600 s wait ended when the stop came"
