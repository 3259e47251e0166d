"""The Fail state: stops its thread with an error and cause, fixed or read through paths/intrinsics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine import paths
from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.errors import StatesError
from eventframework.local.engine.runtime import Frame, StateEnv, Transition


@dataclass(frozen=True, kw_only=True)
class FailState(StateBase):
    error: str | None = None
    error_path: str | None = None
    cause: str | None = None
    cause_path: str | None = None

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> FailState:
        return cls(
            **cls.common(name, raw),
            error=raw.get("Error"),
            error_path=raw.get("ErrorPath"),
            cause=raw.get("Cause"),
            cause_path=raw.get("CausePath"),
        )

    def run(self, frame: Frame, data: Any, env: StateEnv, _partial: object = None) -> Transition:
        context = frame.path_context(self, env)
        error = self.error
        if self.error_path is not None:
            error = _as_text(paths.resolve_expression("ErrorPath", self.error_path, data, context))
        cause = self.cause
        if self.cause_path is not None:
            cause = _as_text(paths.resolve_expression("CausePath", self.cause_path, data, context))
        raise StatesError(error, cause)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else paths.to_json_text(value)
