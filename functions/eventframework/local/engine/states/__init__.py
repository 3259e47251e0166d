"""One module per ASL state type, and the typed table the definition loader dispatches on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.states.choice_state import ChoiceState
from eventframework.local.engine.states.fail import FailState
from eventframework.local.engine.states.map_ import MapState
from eventframework.local.engine.states.parallel import ParallelState
from eventframework.local.engine.states.pass_ import PassState
from eventframework.local.engine.states.succeed import SucceedState
from eventframework.local.engine.states.task import TaskState
from eventframework.local.engine.states.wait import WaitState


class StateFactory(Protocol):
    def from_dict(self, name: str, raw: Mapping[str, Any], parse: MachineParser) -> StateBase: ...


STATE_TYPES: Mapping[str, StateFactory] = {
    "Pass": PassState,
    "Task": TaskState,
    "Choice": ChoiceState,
    "Wait": WaitState,
    "Succeed": SucceedState,
    "Fail": FailState,
    "Parallel": ParallelState,
    "Map": MapState,
}

__all__ = [
    "STATE_TYPES",
    "ChoiceState",
    "FailState",
    "MapState",
    "ParallelState",
    "PassState",
    "SucceedState",
    "TaskState",
    "WaitState",
]
