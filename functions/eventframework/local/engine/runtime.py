"""The interpreter loop: walk a machine's states, record history, keep variables and redrive points.

`run_states` drives one thread of states (the execution, a Parallel branch or a Map iteration);
`run_state` wraps one state with its Entered/Exited events and AWS's runtime-error cause prefix.
The state modules do the type-specific work and call back into the helpers here for the spec's
input/output processing, so that processing order lives in exactly one place.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from eventframework.local.engine import paths, reading
from eventframework.local.engine.clock import Clock, iso_timestamp
from eventframework.local.engine.definition import MachineDefinition, StateBase
from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.history import History

PAYLOAD_LIMIT_BYTES = 256 * 1024


@dataclass
class Transition:
    """What a state hands back: its output and the next state's name (None when it ends)."""

    output: Any
    next: str | None


@dataclass
class FailurePoint:
    """Where a thread of states failed, so redrive can resume there with the same input.

    `partial` holds, for a failed Map or Parallel, each finished child's output and each failed
    child's own failure point, keyed by iteration index or branch number.
    """

    state: str
    state_input: Any
    variables: dict[str, Any]
    partial: dict[int, dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "input": self.state_input,
            "variables": self.variables,
            "partial": None if self.partial is None else {str(k): v for k, v in self.partial.items()},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> FailurePoint:
        partial = raw.get("partial")
        return cls(
            state=raw["state"],
            state_input=raw["input"],
            variables=dict(raw.get("variables") or {}),
            partial=None if partial is None else {int(k): dict(v) for k, v in partial.items()},
        )


@dataclass
class ExecutionInfo:
    """The parts of `$$.Execution` and `$$.StateMachine` that stay fixed during an execution."""

    arn: str
    name: str
    input: Any
    start_time: datetime
    role_arn: str
    state_machine_arn: str
    state_machine_name: str
    redrive_count: int = 0
    redrive_time: datetime | None = None  # $$.Execution.RedriveTime exists only once redriven


class TaskRunner(Protocol):
    """Runs a Task state's resource (tasks.TaskInvoker); the state is a states.task.TaskState."""

    def invoke(self, frame: Frame, state: Any, env: StateEnv, task_input: Any, timeout: float) -> Any: ...


class ExecutionStoppedError(Exception):
    """StopExecution took effect at a state boundary; the execution ends ABORTED, redrivable there."""

    def __init__(self, failure_point: FailurePoint) -> None:
        self.failure_point = failure_point
        super().__init__(f"stopped before entering {failure_point.state!r}")


def _never() -> bool:
    return False


def _nothing() -> None:
    return None


@dataclass
class Runtime:
    """Execution-wide collaborators shared by every thread of states (a Parallel state's branches
    run on threads of their own).

    `stopping` is asked before each state is entered (StopExecution takes effect there);
    `state_entered` is called as each state is entered and `state_exited` as it is left, however it
    ended (a local run commits its durable writes when no state is in flight).
    """

    clock: Clock
    history: History
    info: ExecutionInfo
    tasks: TaskRunner
    transitions: int = 0
    stopping: Callable[[], bool] = _never
    state_entered: Callable[[], None] = _nothing
    state_exited: Callable[[], None] = _nothing
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_transition(self) -> None:
        with self._lock:
            self.transitions += 1


class RunnableState(Protocol):
    """What every state module's dataclass provides (see `states/`)."""

    def run(
        self, frame: Frame, data: Any, env: StateEnv, partial: dict[int, dict[str, Any]] | None
    ) -> Transition: ...


@dataclass
class StateEnv:
    """Per-visit facts a state needs: when it was entered and that event's id."""

    entered_time: datetime
    entered_event_id: int
    retry_count: int = 0


class BranchAbortedError(Exception):
    """A sibling branch of a Parallel state failed or was stopped: this branch ends at its next state
    boundary, as AWS stops the other branches of a failed Parallel state."""


@dataclass
class Frame:
    """One thread of states and its variable scope; Map/Parallel children get a copied scope.

    `aborts` are the events that end this thread early: a Parallel state gives its branches one
    (set when a sibling fails), and a thread inherits those of the threads it runs within."""

    runtime: Runtime
    variables: dict[str, Any] = field(default_factory=dict)
    map_item: tuple[int, Any] | None = None
    aborts: tuple[threading.Event, ...] = ()

    def child(self, map_item: tuple[int, Any] | None = None, abort: threading.Event | None = None) -> Frame:
        aborts = (*self.aborts, abort) if abort is not None else self.aborts
        return Frame(self.runtime, copy.deepcopy(self.variables), map_item, aborts)

    def aborted(self) -> bool:
        return any(event.is_set() for event in self.aborts)

    def path_context(self, state: StateBase, env: StateEnv) -> reading.PathContext:
        return reading.PathContext(self.context_object(state, env), self.variables)

    def context_object(self, state: StateBase, env: StateEnv) -> dict[str, Any]:
        info = self.runtime.info
        execution = {
            "Id": info.arn,
            "Input": copy.deepcopy(info.input),
            "Name": info.name,
            "RoleArn": info.role_arn,
            "StartTime": iso_timestamp(info.start_time),
            "RedriveCount": info.redrive_count,
        }
        if info.redrive_time is not None:
            execution["RedriveTime"] = iso_timestamp(info.redrive_time)
        context: dict[str, Any] = {
            "Execution": execution,
            "State": self._state_node(state, env),
            "StateMachine": {"Id": info.state_machine_arn, "Name": info.state_machine_name},
        }
        if self.map_item is not None:
            context["Map"] = {"Item": {"Index": self.map_item[0], "Value": copy.deepcopy(self.map_item[1])}}
        return context

    @staticmethod
    def _state_node(state: StateBase, env: StateEnv) -> dict[str, Any]:
        node: dict[str, Any] = {"EnteredTime": iso_timestamp(env.entered_time), "Name": state.name}
        if state.counts_retries:
            node["RetryCount"] = env.retry_count
        return node


def sleep_in_state(frame: Frame, seconds: float, state_name: str, state_input: Any) -> None:
    """Let time pass inside a state (a Wait, a retry's back-off); a stop that comes meanwhile ends
    the execution there, so a redrive enters the state again with the same input. A branch whose
    sibling failed ends here too, rather than retrying on (AWS stops it; a sleep already begun on
    the system clock runs out first)."""
    if not frame.aborted():
        frame.runtime.clock.sleep(seconds)
    if frame.aborted():
        raise BranchAbortedError(state_name)
    if frame.runtime.stopping():
        stopped_at = FailurePoint(
            state_name, copy.deepcopy(state_input), copy.deepcopy(frame.variables), None
        )
        raise ExecutionStoppedError(stopped_at)


def run_states(
    frame: Frame, machine: MachineDefinition, state_input: Any, resume: FailurePoint | None = None
) -> Any:
    """Run states from StartAt (or the redrive point) until one ends; return the final output."""
    name, data = (resume.state, resume.state_input) if resume else (machine.start_at, state_input)
    if resume:
        frame.variables = copy.deepcopy(resume.variables)
    while True:
        if frame.runtime.stopping():
            raise ExecutionStoppedError(
                FailurePoint(name, copy.deepcopy(data), copy.deepcopy(frame.variables), None)
            )
        if frame.aborted():
            raise BranchAbortedError(name)
        state = machine.state(name)
        variables_before = copy.deepcopy(frame.variables)
        try:
            transition = run_state(frame, state, data, resume.partial if resume else None)
        except StatesError as error:
            if getattr(error, "failure_point", None) is None:
                partial = getattr(error, "partial", None)
                error.failure_point = FailurePoint(name, copy.deepcopy(data), variables_before, partial)  # type: ignore[attr-defined]
            raise
        resume = None
        if transition.next is None:
            return transition.output
        name, data = transition.next, transition.output


def run_state(
    frame: Frame, state: StateBase, data: Any, partial: dict[int, dict[str, Any]] | None
) -> Transition:
    """Enter, run and exit one state; give States.Runtime causes AWS's 'entered at' prefix."""
    runtime = frame.runtime
    runtime.state_entered()
    try:
        return _entered_state(frame, state, data, partial)
    finally:
        runtime.state_exited()


def _entered_state(
    frame: Frame, state: StateBase, data: Any, partial: dict[int, dict[str, Any]] | None
) -> Transition:
    runtime = frame.runtime
    entered = runtime.history.add(
        f"{state.type}StateEntered", name=state.name, input=paths.to_json_text(data)
    )
    runtime.count_transition()
    env = StateEnv(runtime.clock.now(), entered.id)
    try:
        transition = cast(RunnableState, state).run(frame, data, env, partial)
    except StatesError as error:
        if error.is_runtime and not getattr(error, "prefixed", False):
            error.cause = (
                f"An error occurred while executing the state '{state.name}' "
                f"(entered at the event id #{env.entered_event_id}). {error.cause}"
            )
            error.prefixed = True  # type: ignore[attr-defined]
        raise
    check_payload_size(state, transition.output)
    if state.type != "Fail":
        runtime.history.add(
            f"{state.type}StateExited", name=state.name, output=paths.to_json_text(transition.output)
        )
    return transition


def check_payload_size(state: StateBase, output: Any) -> None:
    """Step Functions caps state input/output at 256 KiB of UTF-8 JSON."""
    if len(paths.to_json_text(output).encode("utf-8")) > PAYLOAD_LIMIT_BYTES:
        raise StatesError(
            StatesErrorName.DATA_LIMIT_EXCEEDED,
            f"The state/task '{state.name}' returned a result with a size exceeding the maximum "
            "number of bytes service limit.",
        )


def effective_input(frame: Frame, state: StateBase, env: StateEnv, data: Any, template: Any) -> Any:
    """InputPath, then the Parameters-like template (Parameters / ItemSelector) if any."""
    context = frame.path_context(state, env)
    selected = paths.apply_input_path(state.input_path.value, data, context, state.input_path.present)
    if template is None:
        return selected
    return paths.resolve_template(template, selected, context)


def state_output(frame: Frame, state: StateBase, env: StateEnv, data: Any, result: Any) -> tuple[Any, Any]:
    """ResultSelector, ResultPath (into the raw state input), then OutputPath.

    Returns the state output and the selected result, which is what `Assign` reads as `$`.
    """
    context = frame.path_context(state, env)
    selected = result
    if state.result_selector is not None:
        selected = paths.resolve_template(state.result_selector, result, context)
    merged = paths.apply_result_path(state.result_path.value, state.result_path.present, data, selected)
    output = paths.apply_output_path(state.output_path.value, state.output_path.present, merged, context)
    return output, selected


def assign_variables(
    frame: Frame, state: StateBase, env: StateEnv, assign: Mapping[str, Any] | None, data: Any
) -> None:
    """Evaluate every Assign value against the old variables, then update them all at once."""
    if not assign:
        return
    context = frame.path_context(state, env)
    values = paths.resolve_template(assign, data, context)
    frame.variables.update(values)
