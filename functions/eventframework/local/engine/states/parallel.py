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
    """How one branch ended: its output, the error that failed it, the stop that ended it, or what
    crashed its thread (re-raised in the Parallel state's own thread, as a sequential run would)."""

    output: Any = None
    error: StatesError | None = None
    stopped: ExecutionStoppedError | None = None
    crashed: BaseException | None = None
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
        pending: dict[int, FailurePoint | None] = {}
        for index in range(len(self.branches)):
            previous = (partial or {}).get(index, {})
            if "output" in previous:
                done[index] = previous
            else:
                pending[index] = (
                    FailurePoint.from_dict(previous["failure"]) if "failure" in previous else None
                )
        outcomes, ended = self._run_at_once(frame, branch_input, pending, started_event)
        crashed = next((outcomes[index].crashed for index in ended if outcomes[index].crashed), None)
        if crashed is not None:
            raise crashed
        done.update(
            {index: {"output": outcome.output} for index, outcome in outcomes.items() if outcome.finished}
        )
        if ended:
            self._end_early(frame, data, done, [(index, outcomes[index]) for index in ended])
        if len(done) < len(self.branches):  # a branch ended early because an enclosing one failed
            raise BranchAbortedError(self.name)
        return [done[index]["output"] for index in range(len(self.branches))]

    def _run_at_once(
        self, frame: Frame, branch_input: Any, pending: dict[int, FailurePoint | None], started_event: int
    ) -> tuple[dict[int, _Outcome], list[int]]:
        """Run the pending branches on threads of their own; return how each ended, and the numbers
        of those that failed, stopped or crashed, in that order (the first one stops the others)."""
        outcomes = {index: _Outcome() for index in pending}
        ended: list[int] = []
        abort = threading.Event()
        lock = threading.Lock()

        def run_branch(index: int) -> None:
            outcome = outcomes[index]
            frame.runtime.history.follow(started_event)
            try:
                child = frame.child(abort=abort)
                outcome.output = run_states(child, self.branches[index], branch_input, pending[index])
                outcome.finished = True
                return
            except StatesError as error:
                outcome.error = error
            except ExecutionStoppedError as stopped:
                outcome.stopped = stopped
            except BranchAbortedError:
                return
            except BaseException as crash:  # a bug or a failing hook: re-raised after the join
                outcome.crashed = crash
            with lock:
                ended.append(index)
            abort.set()

        threads = [threading.Thread(target=run_branch, args=(index,)) for index in pending]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes, ended

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
