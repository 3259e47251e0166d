"""Retry and Catch with AWS's rules: first matching retrier/catcher wins, per-retrier attempt counts,
exponential back-off capped by MaxDelaySeconds, optional full jitter, and the wildcard exceptions
(`States.ALL` never catches `States.Runtime`; `States.TaskFailed` matches any Task error but a timeout).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from eventframework.local.engine.definition import Catcher, Retrier, StateBase
from eventframework.local.engine.errors import (
    NOT_CATCHABLE_BY_ALL,
    NOT_RETRIABLE_BY_ALL,
    StatesError,
    StatesErrorName,
)
from eventframework.local.engine.paths import apply_result_path
from eventframework.local.engine.runtime import Frame, StateEnv, Transition, assign_variables, sleep_in_state

Attempt = Callable[[StateEnv], tuple[Any, Any]]


def error_matches(
    error_equals: Sequence[str], error: StatesError, state_type: str, excluded: frozenset[str]
) -> bool:
    """Whether an ErrorEquals list names this error, honouring the wildcard names."""
    if not error.error_given:
        return False
    for name in error_equals:
        if name == error.error:
            return True
        if name == StatesErrorName.ALL and error.error not in excluded:
            return True
        if (
            name == StatesErrorName.TASK_FAILED
            and state_type == "Task"
            and error.error not in (StatesErrorName.TIMEOUT, StatesErrorName.RUNTIME)
        ):
            return True
    return False


def backoff_delay(retrier: Retrier, attempt_index: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt_index + 1`."""
    delay = retrier.interval_seconds * (retrier.backoff_rate**attempt_index)
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter_strategy == "FULL":
        delay = rng() * delay
    return float(delay)


def run_with_recovery(
    frame: Frame, state: StateBase, env: StateEnv, data: Any, attempt: Attempt
) -> Transition:
    """Run `attempt` (which returns the state output and the value Assign reads) under Retry/Catch."""
    counts = [0] * len(state.retry)
    while True:
        try:
            output, assign_source = attempt(env)
        except StatesError as error:
            retrier_index = _retrier_for(state.retry, error, state.type)
            if retrier_index is None or counts[retrier_index] >= state.retry[retrier_index].max_attempts:
                return _catch(frame, state, env, data, error)
            retrier = state.retry[retrier_index]
            sleep_in_state(frame, backoff_delay(retrier, counts[retrier_index]), state.name, data)
            counts[retrier_index] += 1
            env.retry_count += 1
            frame.runtime.count_transition()
            continue
        assign_variables(frame, state, env, state.assign, assign_source)
        return Transition(output, state.next)


def _retrier_for(retriers: Sequence[Retrier], error: StatesError, state_type: str) -> int | None:
    for index, retrier in enumerate(retriers):
        if error_matches(retrier.error_equals, error, state_type, NOT_RETRIABLE_BY_ALL):
            return index
    return None


def _catch(frame: Frame, state: StateBase, env: StateEnv, data: Any, error: StatesError) -> Transition:
    catcher = _catcher_for(state.catch, error, state.type)
    if catcher is None:
        raise error
    error_output: dict[str, Any] = {"Error": error.error}
    if error.cause is not None:
        error_output["Cause"] = error.cause
    assign_variables(frame, state, env, catcher.assign, error_output)
    output = apply_result_path(catcher.result_path.value, catcher.result_path.present, data, error_output)
    return Transition(output, catcher.next)


def _catcher_for(catchers: Sequence[Catcher], error: StatesError, state_type: str) -> Catcher | None:
    for catcher in catchers:
        if error_matches(catcher.error_equals, error, state_type, NOT_CATCHABLE_BY_ALL):
            return catcher
    return None
