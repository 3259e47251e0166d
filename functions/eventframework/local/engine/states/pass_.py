"""The Pass state: passes its input (or a fixed `Result`) through the spec's input/output processing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.runtime import (
    Frame,
    StateEnv,
    Transition,
    assign_variables,
    effective_input,
    state_output,
)

_ABSENT = object()


@dataclass(frozen=True, kw_only=True)
class PassState(StateBase):
    result: Any = _ABSENT

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> PassState:
        return cls(**cls.common(name, raw), result=raw.get("Result", _ABSENT))

    def run(self, frame: Frame, data: Any, env: StateEnv, _partial: object = None) -> Transition:
        selected = effective_input(frame, self, env, data, self.parameters)
        result = selected if self.result is _ABSENT else self.result
        output, assign_source = state_output(frame, self, env, data, result)
        assign_variables(frame, self, env, self.assign, assign_source)
        return Transition(output, self.next)
