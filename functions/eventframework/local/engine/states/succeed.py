"""The Succeed state: ends its thread of states successfully, after InputPath and OutputPath."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine import paths
from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.runtime import Frame, StateEnv, Transition, effective_input


@dataclass(frozen=True, kw_only=True)
class SucceedState(StateBase):
    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> SucceedState:
        return cls(**cls.common(name, raw))

    def run(self, frame: Frame, data: Any, env: StateEnv, _partial: object = None) -> Transition:
        selected = effective_input(frame, self, env, data, None)
        context = frame.path_context(self, env)
        output = paths.apply_output_path(self.output_path.value, self.output_path.present, selected, context)
        return Transition(output, None)
