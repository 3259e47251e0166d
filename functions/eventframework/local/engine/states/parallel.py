"""The Parallel state: runs each branch on the same input and outputs the array of branch outputs.

Branches run one after another (deterministic history); the first failing branch fails the state.
A failure records which branches finished, so a redrive re-runs only the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from eventframework.local.engine.definition import MachineDefinition, MachineParser, StateBase
from eventframework.local.engine.errors import StatesError
from eventframework.local.engine.retry import run_with_recovery
from eventframework.local.engine.runtime import (
    FailurePoint,
    Frame,
    StateEnv,
    Transition,
    effective_input,
    run_states,
    state_output,
)


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
            history.add("ParallelStateStarted")
            outputs = self._run_branches(frame, branch_input, pending.pop() if pending else None)
            history.add("ParallelStateSucceeded")
            return state_output(frame, self, attempt_env, data, outputs)

        return run_with_recovery(frame, self, env, data, attempt)

    def _run_branches(
        self, frame: Frame, branch_input: Any, partial: dict[int, dict[str, Any]] | None
    ) -> list[Any]:
        done: dict[int, dict[str, Any]] = {}
        for index, branch in enumerate(self.branches):
            previous = (partial or {}).get(index, {})
            if "output" in previous:
                done[index] = previous
                continue
            resume = FailurePoint.from_dict(previous["failure"]) if "failure" in previous else None
            try:
                output = run_states(frame.child(), branch, branch_input, resume)
            except StatesError as error:
                frame.runtime.history.add("ParallelStateFailed")
                done[index] = {"failure": error.failure_point.to_dict()}  # type: ignore[attr-defined]
                error.partial = done  # type: ignore[attr-defined]
                error.failure_point = None  # type: ignore[attr-defined]
                raise
            done[index] = {"output": output}
        return [done[index]["output"] for index in range(len(self.branches))]
