"""The Parallel state: runs each branch on the same input and outputs the array of branch outputs.

Branches run at the same time, each on a thread of its own, as in AWS, where "the Parallel state
causes AWS Step Functions to execute each branch ... concurrently"
(https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html): a local pull fetches its
next page while the page before is processed. The first branch to fail fails the state, and the
others end at their next state boundary, as AWS stops them. A failure (or a StopExecution) records
which branches finished, so a redrive re-runs only the others.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from eventframework.local.engine.definition import MachineDefinition, MachineParser, StateBase
from eventframework.local.engine.errors import StatesError
from eventframework.local.engine.retry import run_with_recovery
from eventframework.local.engine.runtime import (
    BranchAbortedError,
    ExecutionStoppedError,
    FailurePoint,
    Frame,
    StateEnv,
    Transition,
    effective_input,
    run_states,
    state_output,
)


@dataclass
class _Outcome:
    """How one branch ended: its output, the error that failed it, or the stop that ended it."""

    output: Any = None
    error: StatesError | None = None
    stopped: ExecutionStoppedError | None = None
    finished: bool = False


@dataclass(frozen=True, kw_only=True)
class ParallelState(StateBase):
    counts_retries: ClassVar[bool] = True
    branches: tuple[MachineDefinition, ...] = ()

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> ParallelState:
        branches = tuple(parse(branch) for branch in raw.get("Branches", ()))
        return cls(**cls.common(name, raw), branches=branches)

    def run(
        self, frame: Frame, data: Any, env: StateEnv, partial: dict[int, dict[str, Any]] | None = None
    ) -> Transition:
        pending = [partial]

        def attempt(attempt_env: StateEnv) -> tuple[Any, Any]:
            branch_input = effective_input(frame, self, attempt_env, data, self.parameters)
            history = frame.runtime.history
            started = history.add("ParallelStateStarted")
            outputs = self._run_branches(
                frame, data, branch_input, pending.pop() if pending else None, started.id
            )
            history.add("ParallelStateSucceeded")
            return state_output(frame, self, attempt_env, data, outputs)

        return run_with_recovery(frame, self, env, data, attempt)

    def _run_branches(
        self,
        frame: Frame,
        data: Any,
        branch_input: Any,
        partial: dict[int, dict[str, Any]] | None,
        started_event: int,
    ) -> list[Any]:
        done: dict[int, dict[str, Any]] = {}
        outcomes: dict[int, _Outcome] = {}
        ended: list[int] = []  # branch numbers in the order they failed or stopped
        abort = threading.Event()
        lock = threading.Lock()

        def run_branch(index: int, branch: MachineDefinition, resume: FailurePoint | None) -> None:
            outcome = outcomes[index]
            frame.runtime.history.follow(started_event)
            try:
                outcome.output = run_states(frame.child(abort=abort), branch, branch_input, resume)
                outcome.finished = True
                return
            except StatesError as error:
                outcome.error = error
            except ExecutionStoppedError as stopped:
                outcome.stopped = stopped
            except BranchAbortedError:
                return
            with lock:
                ended.append(index)
            abort.set()

        threads: list[threading.Thread] = []
        for index, branch in enumerate(self.branches):
            previous = (partial or {}).get(index, {})
            if "output" in previous:
                done[index] = previous
                continue
            resume = FailurePoint.from_dict(previous["failure"]) if "failure" in previous else None
            outcomes[index] = _Outcome()
            threads.append(threading.Thread(target=run_branch, args=(index, branch, resume)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for index, outcome in outcomes.items():
            if outcome.finished:
                done[index] = {"output": outcome.output}
        if ended:
            self._end_early(frame, data, done, [(index, outcomes[index]) for index in ended])
        return [done[index]["output"] for index in range(len(self.branches))]

    def _end_early(
        self, frame: Frame, data: Any, done: dict[int, dict[str, Any]], ended: list[tuple[int, _Outcome]]
    ) -> None:
        """Fail with the first branch error (or stop, if no branch failed), keeping what finished and
        where each ended branch stopped; aborted branches are left to run again on a redrive."""
        for index, outcome in ended:
            point = outcome.error.failure_point if outcome.error else outcome.stopped.failure_point  # type: ignore[union-attr, attr-defined]
            done[index] = {"failure": point.to_dict()}
        failed = next((outcome.error for _, outcome in ended if outcome.error is not None), None)
        if failed is not None:
            frame.runtime.history.add("ParallelStateFailed")
            failed.partial = done  # type: ignore[attr-defined]
            failed.failure_point = None  # type: ignore[attr-defined]
            raise failed
        raise ExecutionStoppedError(
            FailurePoint(self.name, copy.deepcopy(data), copy.deepcopy(frame.variables), done)
        )
