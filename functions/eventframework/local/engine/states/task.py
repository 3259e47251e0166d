"""The Task state: calls a Lambda function or an AWS service (see `tasks.py`) under Retry/Catch.

TimeoutSeconds is measured on the injected clock: a handler that lets more virtual time pass than
allowed fails with `States.Timeout`, exactly like a slow function on AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from eventframework.local.engine import paths, reading
from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.retry import run_with_recovery
from eventframework.local.engine.runtime import Frame, StateEnv, Transition, effective_input, state_output

DEFAULT_TIMEOUT_SECONDS = 99999999


@dataclass(frozen=True, kw_only=True)
class TaskState(StateBase):
    counts_retries: ClassVar[bool] = True
    resource: str = ""
    timeout_seconds: float | None = None
    timeout_seconds_path: str | None = None
    heartbeat_seconds: float | None = None
    heartbeat_seconds_path: str | None = None

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> TaskState:
        return cls(
            **cls.common(name, raw),
            resource=raw.get("Resource", ""),
            timeout_seconds=raw.get("TimeoutSeconds"),
            timeout_seconds_path=raw.get("TimeoutSecondsPath"),
            heartbeat_seconds=raw.get("HeartbeatSeconds"),
            heartbeat_seconds_path=raw.get("HeartbeatSecondsPath"),
        )

    def run(self, frame: Frame, data: Any, env: StateEnv, _partial: object = None) -> Transition:
        def attempt(attempt_env: StateEnv) -> tuple[Any, Any]:
            task_input = effective_input(frame, self, attempt_env, data, self.parameters)
            timeout = self._timeout(frame, attempt_env, data)
            result = frame.runtime.tasks.invoke(frame, self, attempt_env, task_input, timeout)
            return state_output(frame, self, attempt_env, data, result)

        return run_with_recovery(frame, self, env, data, attempt)

    def _timeout(self, frame: Frame, env: StateEnv, data: Any) -> float:
        if self.timeout_seconds_path is None:
            return float(self.timeout_seconds or DEFAULT_TIMEOUT_SECONDS)
        value = reading.read_path(self.timeout_seconds_path, data, frame.path_context(self, env))
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise StatesError(
                StatesErrorName.RUNTIME,
                f"The TimeoutSecondsPath parameter does not reference a positive integer: "
                f"{self.timeout_seconds_path} == {paths.to_json_text(value)}",
            )
        return float(value)
