"""Static checks on an ASL document before it runs, each problem naming the state and the field.

Catches what would otherwise fail mid-execution or be rejected by CreateStateMachine: unknown fields,
missing or dangling StartAt/Next/Default targets, unreachable states, a machine with no terminal
state, Task resources the engine cannot run, and malformed Retry/Catch entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from eventframework.local.engine.tasks import parse_resource

_COMMON = {"Type", "Comment", "QueryLanguage"}
_IO = {"InputPath", "OutputPath"}
_RESULT = {"Parameters", "ResultSelector", "ResultPath", "Arguments", "Output"}
_FLOW = {"Next", "End"}
_RECOVERY = {"Retry", "Catch"}
ALLOWED_FIELDS: Mapping[str, frozenset[str]] = {
    "Pass": frozenset(_COMMON | _IO | _FLOW | {"Parameters", "Result", "ResultPath", "Assign", "Output"}),
    "Task": frozenset(
        _COMMON
        | _IO
        | _RESULT
        | _FLOW
        | _RECOVERY
        | {"Assign", "Resource", "Credentials"}
        | {"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"}
    ),
    "Choice": frozenset(_COMMON | _IO | {"Choices", "Default", "Assign", "Output"}),
    "Wait": frozenset(
        _COMMON | _IO | _FLOW | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"}
    ),
    "Succeed": frozenset(_COMMON | _IO | {"Output"}),
    "Fail": frozenset(_COMMON | {"Error", "ErrorPath", "Cause", "CausePath"}),
    "Parallel": frozenset(_COMMON | _IO | _RESULT | _FLOW | _RECOVERY | {"Branches", "Assign"}),
    "Map": frozenset(
        _COMMON
        | _IO
        | _RESULT
        | _FLOW
        | _RECOVERY
        | {"Assign", "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "ItemReader"}
        | {"ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "Label"}
        | {"ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage"}
        | {"ToleratedFailurePercentagePath"}
    ),
}
MACHINE_FIELDS = frozenset({"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"})
BRANCH_FIELDS = frozenset({"StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage"})
RETRY_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
CATCH_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Assign", "Comment", "Output"})
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})


def validate_definition(definition: Any) -> list[str]:
    """Return every problem found (empty when the definition is fine to run)."""
    if not isinstance(definition, Mapping):
        return ["definition: must be a JSON object"]
    return list(_machine(definition, MACHINE_FIELDS, "definition"))


def _machine(machine: Mapping[str, Any], allowed: frozenset[str], where: str) -> Iterator[str]:
    for key in machine:
        if key not in allowed:
            yield f"{where}: unknown field '{key}'"
    states = machine.get("States")
    if not isinstance(states, Mapping) or not states:
        yield f"{where}: field 'States' must be a non-empty object"
        return
    start = machine.get("StartAt")
    if start not in states:
        yield f"{where}: field 'StartAt' names '{start}', which is not a state"
    for name, state in states.items():
        if not isinstance(state, Mapping):
            yield f"state '{name}': must be an object"
            continue
        yield from _state(name, state, states)
    yield from _reachability(start, states, where)


def _state(name: str, state: Mapping[str, Any], states: Mapping[str, Any]) -> Iterator[str]:
    state_type = state.get("Type")
    allowed = ALLOWED_FIELDS.get(state_type) if isinstance(state_type, str) else None
    if allowed is None:
        yield f"state '{name}': field 'Type' has unknown value {state_type!r}"
        return
    for key in state:
        if key not in allowed:
            yield f"state '{name}': unknown field '{key}' for a {state_type} state"
    yield from _flow(name, state, states)
    yield from _recovery(name, state, states)
    if state_type == "Task":
        yield from _resource(name, state)
    elif state_type == "Choice":
        yield from _choice(name, state, states)
    elif state_type == "Parallel":
        yield from _branches(name, state)
    elif state_type == "Map":
        yield from _map(name, state)
    elif state_type == "Wait":
        yield from _wait(name, state)


def _branches(name: str, state: Mapping[str, Any]) -> Iterator[str]:
    for index, branch in enumerate(state.get("Branches") or [None]):
        if not isinstance(branch, Mapping):
            yield f"state '{name}': field 'Branches[{index}]' must be a state machine object"
        else:
            yield from _machine(branch, BRANCH_FIELDS, f"state '{name}' Branches[{index}]")


def _map(name: str, state: Mapping[str, Any]) -> Iterator[str]:
    for unsupported in ("ItemReader", "ItemBatcher", "ResultWriter"):
        if unsupported in state:
            yield f"state '{name}': field '{unsupported}' is not supported by the local engine"
    processor = state.get("ItemProcessor", state.get("Iterator"))
    if not isinstance(processor, Mapping):
        yield f"state '{name}': field 'ItemProcessor' is required"
    else:
        yield from _machine(processor, BRANCH_FIELDS, f"state '{name}' ItemProcessor")


WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
MAX_WAIT_SECONDS = 99999999


def _wait(name: str, state: Mapping[str, Any]) -> Iterator[str]:
    """The Wait state page: exactly one of the four fields; Seconds an integer from 0 to 99999999."""
    given = [key for key in WAIT_FIELDS if key in state]
    if len(given) != 1:
        yield f"state '{name}': exactly one of fields {', '.join(WAIT_FIELDS)} is required, got {given}"
    seconds = state.get("Seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= MAX_WAIT_SECONDS:
        expected = f"an integer from 0 to {MAX_WAIT_SECONDS}"
        yield f"state '{name}': field 'Seconds' must be {expected}, got {seconds!r}"


def _flow(name: str, state: Mapping[str, Any], states: Mapping[str, Any]) -> Iterator[str]:
    if state["Type"] in TERMINAL_TYPES or state["Type"] == "Choice":
        return
    has_next, ends = "Next" in state, state.get("End") is True
    if has_next == ends:
        yield f"state '{name}': exactly one of fields 'Next' and 'End' is required"
    if has_next and state["Next"] not in states:
        yield f"state '{name}': field 'Next' names '{state['Next']}', which is not a state"


def _recovery(name: str, state: Mapping[str, Any], states: Mapping[str, Any]) -> Iterator[str]:
    for label, entries, fields in (
        ("Retry", state.get("Retry", []), RETRY_FIELDS),
        ("Catch", state.get("Catch", []), CATCH_FIELDS),
    ):
        if not isinstance(entries, list):
            yield f"state '{name}': field '{label}' must be an array"
            continue
        for index, entry in enumerate(entries):
            where = f"state '{name}': field '{label}[{index}]"
            if not isinstance(entry, Mapping):
                yield f"{where}' must be an object"
                continue
            yield from (f"{where}.{key}' is not a known field" for key in entry if key not in fields)
            yield from _error_equals(where, entry.get("ErrorEquals"), index == len(entries) - 1)
            if label == "Retry":
                yield from _retrier(where, entry)
            elif entry.get("Next") not in states:
                yield f"{where}.Next' names '{entry.get('Next')}', which is not a state"


def _error_equals(where: str, names: Any, is_last: bool) -> Iterator[str]:
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        yield f"{where}.ErrorEquals' must be a non-empty array of error names"
    elif "States.ALL" in names and (len(names) > 1 or not is_last):
        yield f"{where}.ErrorEquals': States.ALL must appear alone and in the last entry"


def _retrier(where: str, entry: Mapping[str, Any]) -> Iterator[str]:
    checks: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
        (
            "IntervalSeconds",
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
            "an integer >= 1",
        ),
        (
            "MaxAttempts",
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
            "an integer >= 0",
        ),
        (
            "BackoffRate",
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1,
            "a number >= 1",
        ),
        (
            "MaxDelaySeconds",
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
            "an integer >= 1",
        ),
        ("JitterStrategy", lambda v: v in ("FULL", "NONE"), "FULL or NONE"),
    )
    for key, valid, expected in checks:
        if key in entry and not valid(entry[key]):
            yield f"{where}.{key}' must be {expected}, got {entry[key]!r}"


def _resource(name: str, state: Mapping[str, Any]) -> Iterator[str]:
    resource = state.get("Resource")
    if not isinstance(resource, str) or not resource:
        yield f"state '{name}': field 'Resource' is required"
    elif "${" in resource:
        yield f"state '{name}': field 'Resource' has an unsubstituted placeholder {resource!r}"
    elif (parsed := parse_resource(resource)) is None:
        yield f"state '{name}': field 'Resource' {resource!r} is not a resource this engine can run"
    elif parsed.pattern == ".waitForTaskToken":
        # AWS hands such a task `$$.Task.Token` and waits for SendTaskSuccess; the engine has no
        # callbacks, so it says so rather than run the call as request-response.
        yield (
            f"state '{name}': field 'Resource' {resource!r} uses the callback pattern "
            "(.waitForTaskToken), which the local engine does not run (no $$.Task.Token, no SendTaskSuccess)"
        )


def _choice(name: str, state: Mapping[str, Any], states: Mapping[str, Any]) -> Iterator[str]:
    from eventframework.local.engine.choice import validate_choice_rule

    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        yield f"state '{name}': field 'Choices' must be a non-empty array"
        return
    for index, rule in enumerate(choices):
        if not isinstance(rule, Mapping):
            yield f"state '{name}': field 'Choices[{index}]' must be an object"
            continue
        if rule.get("Next") not in states:
            target = rule.get("Next")
            yield f"state '{name}': field 'Choices[{index}].Next' names '{target}', which is not a state"
        yield from (f"state '{name}': field 'Choices[{index}]': {p}" for p in validate_choice_rule(rule))
    if "Default" in state and state["Default"] not in states:
        yield f"state '{name}': field 'Default' names '{state['Default']}', which is not a state"


def _successors(state: Mapping[str, Any]) -> Iterator[str]:
    if isinstance(state.get("Next"), str):
        yield state["Next"]
    if isinstance(state.get("Default"), str):
        yield state["Default"]
    for entry in list(state.get("Choices") or []) + list(state.get("Catch") or []):
        if isinstance(entry, Mapping) and isinstance(entry.get("Next"), str):
            yield entry["Next"]


def _reachability(start: Any, states: Mapping[str, Any], where: str) -> Iterator[str]:
    seen: set[str] = set()
    pending = [start] if start in states else []
    while pending:
        name = pending.pop()
        if name in seen or name not in states or not isinstance(states[name], Mapping):
            continue
        seen.add(name)
        pending.extend(_successors(states[name]))
    for name in states:
        if name not in seen and start in states:
            yield f"state '{name}': unreachable from StartAt '{start}' ({where})"
    if not any(
        isinstance(s, Mapping) and (s.get("End") is True or s.get("Type") in TERMINAL_TYPES)
        for s in states.values()
    ):
        yield f"{where}: no terminal state (a state with End: true, or a Succeed or Fail state)"
