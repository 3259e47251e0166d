"""The engine's public face: register state machines, start and redrive executions, inspect them.

Executions run synchronously in the calling thread. `states:startExecution` of a machine registered
here queues a child that runs after its parent finishes, which keeps AWS's asynchronous semantics
observable (the parent only gets the child's ARN) while staying deterministic.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventframework.errors import EventFrameworkError
from eventframework.local.engine.clock import Clock, SystemClock, VirtualClock, iso_timestamp
from eventframework.local.engine.definition import DefinitionError, MachineDefinition
from eventframework.local.engine.errors import StatesError
from eventframework.local.engine.execution import Execution
from eventframework.local.engine.history import History
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.engine.loading import load_definition
from eventframework.local.engine.paths import to_json_text
from eventframework.local.engine.runtime import (
    ExecutionInfo,
    ExecutionStoppedError,
    FailurePoint,
    Frame,
    Runtime,
    run_states,
)
from eventframework.local.engine.service_tasks import AwsConfig, ServiceCaller
from eventframework.local.engine.tasks import TaskInvoker
from eventframework.local.engine.validation import validate_definition


class EngineError(EventFrameworkError):
    """A request the engine refuses (unknown ARN, execution not redrivable, ...)."""

    def __init__(self, message: str, arn: str | None = None) -> None:
        self.arn = arn
        super().__init__(message)


@dataclass
class StateMachine:
    """A registered state machine: its parsed definition and the Lambda callables bound to it."""

    arn: str
    name: str
    definition: MachineDefinition
    lambdas: dict[str, LambdaHandler] = field(default_factory=dict)


class Engine:
    """A local Step Functions: `register`, then `start` / `redrive` executions synchronously."""

    def __init__(
        self,
        clock: Clock | None = None,
        aws: AwsConfig | None = None,
        role_arn: str | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.aws = aws or AwsConfig()
        self.role_arn = role_arn or f"arn:aws:iam::{self.aws.account_id}:role/StepFunctionsLocalRole"
        self.services = ServiceCaller(self.aws)
        self.state_machines: dict[str, StateMachine] = {}
        self._executions: dict[str, Execution] = {}
        self._queue: deque[str] = deque()
        # Called with each execution as it stops (any status), before queued children start: a
        # local run uses it to release what a finished execution no longer needs.
        self.on_finished: list[Callable[[Execution], None]] = []
        # Called as every state of any execution is entered, and as it is left however it ended: a
        # local run makes the writes durable whenever no state is in flight.
        self.on_state_entered: list[Callable[[], None]] = []
        self.on_state_exited: list[Callable[[], None]] = []
        self._stop_request: tuple[str, str] | None = None

    @property
    def executions(self) -> list[Execution]:
        return list(self._executions.values())

    def register(
        self,
        definition: Mapping[str, Any] | str,
        name: str,
        lambdas: Mapping[str, LambdaHandler] | None = None,
        validate: bool = True,
    ) -> StateMachine:
        """Validate and parse a definition (object or JSON text) and register it under `name`."""
        raw = json.loads(definition) if isinstance(definition, str) else definition
        if validate:
            problems = validate_definition(raw)
            if problems:
                raise DefinitionError("invalid definition:\n  " + "\n  ".join(problems))
        arn = f"arn:aws:states:{self.aws.region}:{self.aws.account_id}:stateMachine:{name}"
        machine = StateMachine(arn, name, load_definition(raw), dict(lambdas or {}))
        self.state_machines[arn] = machine
        return machine

    def register_from_template(
        self,
        template_path: str | Path,
        logical_id: str,
        resolver: Callable[[str, str | None], str] | None = None,
        lambdas: Mapping[str, LambdaHandler] | None = None,
    ) -> StateMachine:
        """Register an `AWS::Serverless::StateMachine` from a SAM template, with its functions bound."""
        from eventframework.local.engine.from_template import load_state_machine

        loaded = load_state_machine(
            Path(template_path), logical_id, resolver, region=self.aws.region, account_id=self.aws.account_id
        )
        bound = {**loaded.lambdas, **(lambdas or {})}
        return self.register(loaded.definition, loaded.name, bound)

    def execution(self, arn: str) -> Execution:
        try:
            return self._executions[arn]
        except KeyError:
            raise EngineError(f"no execution {arn} in this engine", arn) from None

    def add_execution(self, execution: Execution) -> None:
        """Adopt a record (e.g. read back with Execution.from_dict) so it can be redriven."""
        self._executions[execution.arn] = execution

    def start(self, state_machine_arn: str, input: Any = None, name: str | None = None) -> Execution:
        """Start an execution, run it to the end, then run any child executions it queued."""
        execution = self._create(state_machine_arn, {} if input is None else input, name)
        self._run(execution, None)
        self._drain_queue()
        return execution

    def redrive(self, execution_arn: str) -> Execution:
        """RedriveExecution: resume a FAILED execution at the state that failed, with its input."""
        execution = self.execution(execution_arn)
        if execution.status not in ("FAILED", "TIMED_OUT", "ABORTED") or execution.failure_point is None:
            raise EngineError(
                f"Execution {execution_arn} is {execution.status} and cannot be redriven; "
                "only FAILED executions with a recorded failure point can",
                execution_arn,
            )
        execution.redrive_count += 1
        execution.redrive_date = self.clock.now()
        execution.status, execution.error, execution.cause, execution.stop_date = "RUNNING", None, None, None
        self._run(execution, execution.failure_point)
        self._drain_queue()
        return execution

    def stop(self, error: str, cause: str) -> None:
        """StopExecution for whatever runs now and whatever would run next (queued children).

        It takes effect at the next state boundary, as AWS's does between steps: the running state
        finishes, no further state is entered, a sleep in a Wait state or a retry back-off ends at
        once, and the execution ends ABORTED with `error` and `cause`, redrivable where it stopped.
        Safe to call from a signal handler (it only sets flags).
        """
        self._stop_request = (error, cause)
        self.clock.interrupt()

    @property
    def stopping(self) -> bool:
        return self._stop_request is not None

    def _state_entered(self) -> None:
        for hook in self.on_state_entered:
            hook()

    def _state_exited(self) -> None:
        for hook in self.on_state_exited:
            hook()

    def _create(
        self, state_machine_arn: str, input: Any, name: str | None, parent: str | None = None
    ) -> Execution:
        machine = self._machine(state_machine_arn)
        name = name or str(uuid.uuid4())
        arn = f"arn:aws:states:{self.aws.region}:{self.aws.account_id}:execution:{machine.name}:{name}"
        if arn in self._executions:
            raise EngineError(f"ExecutionAlreadyExists: {arn}", arn)
        execution = Execution(
            arn, name, machine.arn, copy.deepcopy(input), self.clock.now(), parent_arn=parent
        )
        self._executions[arn] = execution
        return execution

    def _machine(self, arn: str) -> StateMachine:
        try:
            return self.state_machines[arn]
        except KeyError:
            raise EngineError(f"StateMachineDoesNotExist: {arn} is not registered", arn) from None

    def _run(self, execution: Execution, resume: FailurePoint | None) -> None:
        machine = self._machine(execution.state_machine_arn)
        history = History(self.clock.now, execution.events)
        info = ExecutionInfo(
            execution.arn,
            execution.name,
            execution.input,
            execution.start_date,
            self.role_arn,
            machine.arn,
            machine.name,
            execution.redrive_count,
            execution.redrive_date if execution.redrive_count else None,
        )
        tasks = TaskInvoker(machine.lambdas, self.services, self._child_starter(execution.arn))
        runtime = Runtime(
            self.clock,
            history,
            info,
            tasks,
            execution.transitions,
            stopping=lambda: self._stop_request is not None,
            state_entered=self._state_entered,
            state_exited=self._state_exited,
        )
        if resume is None:
            history.add("ExecutionStarted", input=to_json_text(execution.input), roleArn=self.role_arn)
        else:
            history.add("ExecutionRedriven", redriveCount=execution.redrive_count)
        try:
            output = run_states(Frame(runtime), machine.definition, execution.input, resume)
        except StatesError as error:
            execution.status, execution.error, execution.cause = "FAILED", error.reported_error, error.cause
            execution.failure_point = getattr(error, "failure_point", None)
            history.add("ExecutionFailed", error=error.reported_error, cause=error.cause)
        except ExecutionStoppedError as stopped:
            assert self._stop_request is not None
            execution.status, (execution.error, execution.cause) = "ABORTED", self._stop_request
            execution.failure_point = stopped.failure_point
            history.add("ExecutionAborted", error=execution.error, cause=execution.cause)
        else:
            execution.status, execution.output, execution.failure_point = "SUCCEEDED", output, None
            history.add("ExecutionSucceeded", output=to_json_text(output))
        execution.stop_date = self.clock.now()
        execution.events = history.events
        execution.transitions = runtime.transitions
        for hook in self.on_finished:
            hook(execution)

    def _child_starter(self, parent_arn: str) -> Callable[[str, Any, str | None], dict[str, Any]]:
        def start_child(state_machine_arn: str, input: Any, name: str | None) -> dict[str, Any]:
            if state_machine_arn not in self.state_machines:
                raise StatesError(
                    "StepFunctions.StateMachineDoesNotExistException",
                    f"State Machine Does Not Exist: '{state_machine_arn}'",
                )
            child_input = json.loads(input) if isinstance(input, str) else input
            child = self._create(state_machine_arn, child_input, name, parent_arn)
            self._queue.append(child.arn)
            return {"ExecutionArn": child.arn, "StartDate": iso_timestamp(child.start_date)}

        return start_child

    def _drain_queue(self) -> None:
        while self._queue:
            child = self._executions[self._queue.popleft()]
            if self._stop_request is not None:  # stopped before it began: never entered a state
                child.status, (child.error, child.cause) = "ABORTED", self._stop_request
                child.stop_date = self.clock.now()
                for hook in self.on_finished:
                    hook(child)
                continue
            self._run(child, None)


def run(definition: Mapping[str, Any] | str, input: Any, clock_start: str | None = None) -> tuple[str, Any]:
    """Run one definition once on a virtual clock: (status, output) or (status, (error, cause))."""
    from datetime import datetime

    start = datetime.fromisoformat(clock_start.replace("Z", "+00:00")) if clock_start else None
    engine = Engine(clock=VirtualClock(start))
    machine = engine.register(definition, name="conformance")
    execution = engine.start(machine.arn, input)
    if execution.status == "SUCCEEDED":
        return execution.status, execution.output
    return execution.status, (execution.error, execution.cause)
