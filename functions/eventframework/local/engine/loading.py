"""Loading a state machine: ASL JSON -> :class:`MachineDefinition`, one state class per ``Type``.

Above the plain-data definitions (definition.py) and the state modules (states/), which import
neither this module nor each other's loader: Parallel and Map receive :func:`parse_machine` for
their branches and item processors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from eventframework.local.engine.definition import DefinitionError, MachineDefinition, StateBase
from eventframework.local.engine.states import STATE_TYPES


def parse_machine(raw: Mapping[str, Any]) -> MachineDefinition:
    """Build a MachineDefinition from an ASL object (top level, branch or item processor)."""
    if not isinstance(raw, Mapping) or "StartAt" not in raw or not isinstance(raw.get("States"), Mapping):
        raise DefinitionError("a state machine needs 'StartAt' and an object of 'States'")
    states: dict[str, StateBase] = {}
    for name, state_raw in raw["States"].items():
        if not isinstance(state_raw, Mapping):
            raise DefinitionError("a state must be an object", state=name)
        state_type = state_raw.get("Type")
        factory = STATE_TYPES.get(state_type) if isinstance(state_type, str) else None
        if factory is None:
            raise DefinitionError(f"unknown Type {state_type!r}", state=name, field_name="Type")
        states[name] = factory.from_dict(name, state_raw, parse_machine)
    return MachineDefinition(
        start_at=raw["StartAt"],
        states=states,
        raw=raw,
        comment=raw.get("Comment"),
        timeout_seconds=raw.get("TimeoutSeconds"),
    )


def load_definition(definition: Mapping[str, Any] | str) -> MachineDefinition:
    """Accept an ASL object or its JSON text."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as error:
            raise DefinitionError(f"not valid JSON: {error}") from None
    if not isinstance(definition, Mapping):
        raise DefinitionError("the definition must be a JSON object")
    return parse_machine(definition)
