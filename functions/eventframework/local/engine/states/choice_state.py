"""The Choice state: picks the next state with the first matching rule (rules live in `choice.py`).

The rule whose condition matched also decides which `Assign` applies: the rule's own, or the
state's when the Default branch is taken, as AWS documents for JSONPath Choice states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine import paths, reading
from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.runtime import Frame, StateEnv, Transition, assign_variables, effective_input


@dataclass(frozen=True, kw_only=True)
class ChoiceState(StateBase):
    choices: tuple[Mapping[str, Any], ...] = ()
    default: str | None = None

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> ChoiceState:
        return cls(**cls.common(name, raw), choices=tuple(raw.get("Choices", ())), default=raw.get("Default"))

    def run(self, frame: Frame, data: Any, env: StateEnv, _partial: object = None) -> Transition:
        from eventframework.local.engine.choice import select_next

        selected = effective_input(frame, self, env, data, None)
        context = frame.path_context(self, env)
        rule = self._matching_rule(selected, context)
        if rule is None and self.default is None:
            next_state = select_next(list(self.choices), None, selected, context)
            rule = next(r for r in self.choices if r.get("Next") == next_state)
        next_name = rule["Next"] if rule is not None else self.default
        assign = rule.get("Assign") if rule is not None else self.assign
        output = paths.apply_output_path(self.output_path.value, self.output_path.present, selected, context)
        assign_variables(frame, self, env, assign, selected)
        return Transition(output, next_name)

    def _matching_rule(self, data: Any, context: reading.PathContext) -> Mapping[str, Any] | None:
        from eventframework.local.engine.choice import select_next

        for rule in self.choices:
            try:
                select_next([rule], None, data, context)
            except StatesError as error:
                if error.error == StatesErrorName.NO_CHOICE_MATCHED:
                    continue
                raise
            return rule
        return None
