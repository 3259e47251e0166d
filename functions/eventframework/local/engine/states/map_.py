"""The Map state: runs an item processor once per array item (inline, or distributed reading from input).

Iterations run in order; MaxConcurrency is validated but has no effect on the result. Without a
tolerated-failure setting the first failing iteration fails the state with its own error; with one,
failures are counted and `States.ExceedToleratedFailureThreshold` is raised past the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from eventframework.local.engine import paths, reading
from eventframework.local.engine.definition import MachineDefinition, MachineParser, StateBase
from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.retry import run_with_recovery
from eventframework.local.engine.runtime import (
    FailurePoint,
    Frame,
    StateEnv,
    Transition,
    run_states,
    state_output,
)
from eventframework.local.engine.states.map_limits import Tolerance, max_concurrency, tolerance


@dataclass(frozen=True, kw_only=True)
class MapState(StateBase):
    counts_retries: ClassVar[bool] = True
    processor: MachineDefinition | None = None
    items_path: str = "$"
    item_selector: Any = None
    max_concurrency: Any = 0
    max_concurrency_path: str | None = None

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> MapState:
        common = cls.common(name, raw)
        common["parameters"] = None  # legacy `Parameters` on a Map is its ItemSelector
        processor_raw = raw.get("ItemProcessor", raw.get("Iterator"))
        return cls(
            **common,
            processor=parse(processor_raw) if processor_raw is not None else None,
            items_path=raw.get("ItemsPath", "$"),
            item_selector=raw.get("ItemSelector", raw.get("Parameters")),
            max_concurrency=raw.get("MaxConcurrency", 0),
            max_concurrency_path=raw.get("MaxConcurrencyPath"),
        )

    def run(
        self, frame: Frame, data: Any, env: StateEnv, partial: dict[int, dict[str, Any]] | None = None
    ) -> Transition:
        pending = [partial]

        def attempt(attempt_env: StateEnv) -> tuple[Any, Any]:
            context = frame.path_context(self, attempt_env)
            selected = paths.apply_input_path(self.input_path.value, data, context, self.input_path.present)
            items = self._items(selected, context)
            max_concurrency(self.raw, selected, context)
            limits = tolerance(self.raw, selected, context)
            frame.runtime.history.add("MapStateStarted", length=len(items))
            outputs = self._iterate(
                frame,
                env=attempt_env,
                selected=selected,
                items=items,
                limits=limits,
                partial=pending.pop() if pending else None,
            )
            frame.runtime.history.add("MapStateSucceeded")
            return state_output(frame, self, attempt_env, data, outputs)

        return run_with_recovery(frame, self, env, data, attempt)

    def _items(self, selected: Any, context: reading.PathContext) -> list[Any]:
        items = reading.read_path(self.items_path, selected, context)
        if not isinstance(items, list):
            raise StatesError(
                StatesErrorName.RUNTIME,
                f"Map state input must be an array, the ItemsPath '{self.items_path}' "
                f"resolved to {paths.to_json_text(items)}",
            )
        return items

    def _iterate(
        self,
        frame: Frame,
        *,
        env: StateEnv,
        selected: Any,
        items: list[Any],
        limits: Tolerance,
        partial: dict[int, dict[str, Any]] | None,
    ) -> list[Any]:
        assert self.processor is not None
        done: dict[int, dict[str, Any]] = {}
        first_error: StatesError | None = None
        for index, item in enumerate(items):
            previous = (partial or {}).get(index, {})
            if "output" in previous:
                done[index] = previous
                continue
            resume = FailurePoint.from_dict(previous["failure"]) if "failure" in previous else None
            iteration_input = self._iteration_input(frame, env, selected, index, item)
            history = frame.runtime.history
            history.add("MapIterationStarted", name=self.name, index=index)
            try:
                output = run_states(frame.child(), self.processor, iteration_input, resume)
            except StatesError as error:
                history.add("MapIterationFailed", name=self.name, index=index)
                done[index] = {"failure": error.failure_point.to_dict(), "error": _error_output(error)}  # type: ignore[attr-defined]
                first_error = first_error or error
                if limits.exceeded(_failures(done), len(items)):
                    self._fail(frame, error, done, limits)
                continue
            history.add("MapIterationSucceeded", name=self.name, index=index)
            done[index] = {"output": output}
        return [done[index].get("output", done[index].get("error")) for index in range(len(items))]

    def _iteration_input(self, frame: Frame, env: StateEnv, selected: Any, index: int, item: Any) -> Any:
        if self.item_selector is None:
            return item
        item_frame = Frame(frame.runtime, frame.variables, (index, item))
        context = item_frame.path_context(self, env)
        return paths.resolve_template(self.item_selector, selected, context)

    @staticmethod
    def _fail(frame: Frame, error: StatesError, done: dict[int, dict[str, Any]], limits: Tolerance) -> None:
        frame.runtime.history.add("MapStateFailed")
        failure = error
        if limits.configured:
            failure = StatesError(
                StatesErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )
        failure.partial = done  # type: ignore[attr-defined]
        failure.failure_point = None  # type: ignore[attr-defined]
        raise failure


def _failures(done: Mapping[int, Mapping[str, Any]]) -> int:
    return sum(1 for entry in done.values() if "failure" in entry)


def _error_output(error: StatesError) -> dict[str, Any]:
    output: dict[str, Any] = {"Error": error.error}
    if error.cause is not None:
        output["Cause"] = error.cause
    return output
