"""Parallel branches run at the same time, as in AWS: a branch can wait on its sibling, the first
failure ends the others at their next state boundary, and a stop inside a branch is redrivable at the
Parallel state. Proved by handlers that meet each other (threading events with a bounded wait), not
by timing."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from engine_support import single

from eventframework.local.emulator.deployment import StepsInFlight
from eventframework.local.engine import Engine, Execution, VirtualClock

LEFT = "arn:aws:lambda:us-east-1:123456789012:function:Left"
RIGHT = "arn:aws:lambda:us-east-1:123456789012:function:Right"
MEETING_SECONDS = 30  # far longer than any machine needs; a sequential engine never gets there


def _branch(name: str, resource: str, then: dict[str, Any] | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {"Type": "Task", "Resource": resource}
    states: dict[str, Any] = {name: task}
    if then is None:
        task["End"] = True
    else:
        task["Next"] = f"{name} then"
        states[f"{name} then"] = then
    return {"StartAt": name, "States": states}


class FailsBeside:
    """A left branch that fails (once) while the right branch is inside its task, and a right branch
    that goes on only after the left branch's thread has ended, i.e. after its failure was recorded:
    a sibling really running beside the failure, whatever the scheduler does."""

    def __init__(self) -> None:
        self.left_thread: threading.Thread | None = None
        self.left_running, self.right_running = threading.Event(), threading.Event()
        self.calls: list[str] = []

    def left(self, event: Any, context: Any) -> str:
        self.calls.append("left")
        if self.left_thread is not None:
            return "left"  # a redrive: healed
        self.left_thread = threading.current_thread()
        self.left_running.set()
        assert self.right_running.wait(MEETING_SECONDS), "the right branch never ran beside this one"
        raise RuntimeError("left fails")

    def right_waits(self) -> None:
        self.calls.append("right")
        self.right_running.set()
        assert self.left_running.wait(MEETING_SECONDS)
        assert self.left_thread is not None
        self.left_thread.join(MEETING_SECONDS)


def test_parallel_branches_run_at_the_same_time(engine: Engine) -> None:
    """Each branch's handler waits for the other's to have started: only concurrent branches meet."""
    both = threading.Barrier(2, timeout=MEETING_SECONDS)

    def meet(event: Any, context: Any) -> str:
        both.wait()
        return "met"

    definition = single({"Type": "Parallel", "Branches": [_branch("L", LEFT), _branch("R", RIGHT)]})
    machine = engine.register(definition, name="meet", lambdas={LEFT: meet, RIGHT: meet})
    execution = engine.start(machine.arn, {})
    assert (execution.status, execution.output) == ("SUCCEEDED", ["met", "met"])
    assert execution.transitions == 3, "the Parallel state and one state per branch"
    [started] = [event for event in execution.events if event.type == "ParallelStateStarted"]
    entered = [event for event in execution.events if event.type == "TaskStateEntered"]
    assert [event.previous_event_id for event in entered] == [started.id, started.id], (
        "each branch's first event follows the Parallel state's start, whatever ran in between"
    )


def test_parallel_first_failure_stops_the_sibling_at_its_next_state_and_redrive_reruns_both(
    engine: Engine,
) -> None:
    beside = FailsBeside()

    def slow_right(event: Any, context: Any) -> str:
        beside.right_waits()
        return "right"

    then = {"Type": "Pass", "Result": "never on the first attempt", "End": True}
    branches = [_branch("L", LEFT), _branch("R", RIGHT, then)]
    machine = engine.register(
        single({"Type": "Parallel", "Branches": branches}),
        name="abort",
        lambdas={LEFT: beside.left, RIGHT: slow_right},
    )
    failed = engine.start(machine.arn, {})
    assert (failed.status, failed.error) == ("FAILED", "RuntimeError")
    entered = [event.details.get("name") for event in failed.events if event.type.endswith("StateEntered")]
    assert "R then" not in entered, "the right branch ended at its next state boundary"
    assert failed.failure_point is not None and failed.failure_point.state == "Only"
    beside.calls.clear()
    redriven = engine.redrive(failed.arn)
    assert redriven.output == ["left", "never on the first attempt"]
    assert sorted(beside.calls) == ["left", "right"], "the failed branch and the aborted one run again"


def test_parallel_stop_inside_a_branch_is_redrivable_at_the_parallel_state() -> None:
    """Ctrl-C while a branch runs: the execution ends ABORTED at the Parallel state (not at a state of
    a branch, which a redrive could not find), and a later process redrives it to the end."""
    first = Engine(clock=VirtualClock())

    def stop_then_answer(event: Any, context: Any) -> str:
        first.stop("States.Aborted", "Ctrl-C")
        return "left"

    def right(event: Any, context: Any) -> str:
        return "right"

    then = {"Type": "Pass", "Result": "after the stop", "End": True}
    definition = single({"Type": "Parallel", "Branches": [_branch("L", LEFT, then), _branch("R", RIGHT)]})
    machine = first.register(definition, name="stop", lambdas={LEFT: stop_then_answer, RIGHT: right})
    stopped = first.start(machine.arn, {})
    assert stopped.status == "ABORTED"
    assert stopped.failure_point is not None and stopped.failure_point.state == "Only"

    second = Engine(clock=VirtualClock())
    second.register(definition, name="stop", lambdas={LEFT: stop_then_answer, RIGHT: right})
    second.add_execution(Execution.from_dict(json.loads(json.dumps(stopped.to_dict()))))
    redriven = second.redrive(stopped.arn)
    assert (redriven.status, redriven.output) == ("SUCCEEDED", ["after the stop", "right"])


def test_steps_in_flight_commit_only_when_none_is_running() -> None:
    commits: list[int] = []
    steps = StepsInFlight(lambda: commits.append(1))
    steps.entered()  # the Parallel state
    steps.entered()  # ProcessPage
    steps.entered()  # FetchPage beside it
    steps.exited()
    steps.settled()  # a finished execution's hook, while a state is still in flight
    assert commits == [], "ProcessPage and the Parallel state are still running"
    steps.exited()
    steps.exited()
    assert commits == [1]
    steps.settled()
    assert commits == [1, 1]


def test_parallel_a_crash_in_a_branch_thread_reaches_the_caller_as_itself(engine: Engine) -> None:
    """Not a KeyError about a missing branch output: what broke (here a failing commit hook) is raised."""

    def answer(event: Any, context: Any) -> str:
        return "ok"

    def failing_commit() -> None:
        if threading.current_thread() is not threading.main_thread():
            raise OSError(28, "No space left on device")

    engine.on_state_exited.append(failing_commit)
    definition = single({"Type": "Parallel", "Branches": [_branch("L", LEFT), _branch("R", RIGHT)]})
    machine = engine.register(definition, name="crash", lambdas={LEFT: answer, RIGHT: answer})
    with pytest.raises(OSError, match="No space left"):
        engine.start(machine.arn, {})


def test_parallel_a_sibling_in_its_retry_back_off_stops_instead_of_retrying(engine: Engine) -> None:
    beside = FailsBeside()

    def flaky_right(event: Any, context: Any) -> str:
        beside.right_waits()
        raise TimeoutError("right would retry for minutes")

    retried = _branch("R", RIGHT)
    retried["States"]["R"]["Retry"] = [
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 5}
    ]
    machine = engine.register(
        single({"Type": "Parallel", "Branches": [_branch("L", LEFT), retried]}),
        name="retrying",
        lambdas={LEFT: beside.left, RIGHT: flaky_right},
    )
    failed = engine.start(machine.arn, {})
    assert (failed.status, failed.error) == ("FAILED", "RuntimeError")
    assert beside.calls.count("right") == 1, "no retry after the sibling failed"


def test_parallel_nested_in_an_aborted_branch_ends_without_a_thread_crash(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: crashes.append(hook.exc_value))
    beside = FailsBeside()

    def inner(event: Any, context: Any) -> str:
        beside.right_waits()
        return "inner"

    nested = {
        "StartAt": "Inner",
        "States": {
            "Inner": {"Type": "Parallel", "Branches": [_branch("I", RIGHT)], "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    machine = engine.register(
        single({"Type": "Parallel", "Branches": [_branch("L", LEFT), nested]}),
        name="nested",
        lambdas={LEFT: beside.left, RIGHT: inner},
    )
    failed = engine.start(machine.arn, {})
    assert (failed.status, failed.error) == ("FAILED", "RuntimeError")
    assert crashes == []
