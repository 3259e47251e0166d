"""The parsed form of an ASL document: frozen dataclasses for the machine, its states, Retry and Catch.

Parsing is deliberately lenient about what it does not use (static checks live in `validation.py`
and run first); it only fails when a document cannot be interpreted at all, with the state and
field named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from eventframework.errors import EventFrameworkError


class DefinitionError(EventFrameworkError):
    """An ASL document that cannot be interpreted; names the state and the field at fault."""

    def __init__(self, message: str, state: str | None = None, field_name: str | None = None) -> None:
        self.state = state
        self.field_name = field_name
        where = f"state '{state}'" if state else "definition"
        where += f", field '{field_name}'" if field_name else ""
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class PathField:
    """A path field that distinguishes absent (default `$`) from explicit null."""

    value: str | None = None
    present: bool = False

    @classmethod
    def read(cls, raw: Mapping[str, Any], key: str) -> PathField:
        return cls(raw.get(key), key in raw)


@dataclass(frozen=True)
class Retrier:
    """One entry of a state's `Retry` list, with AWS's defaults."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Retrier:
        return cls(
            error_equals=tuple(raw.get("ErrorEquals", ())),
            interval_seconds=raw.get("IntervalSeconds", 1),
            max_attempts=raw.get("MaxAttempts", 3),
            backoff_rate=raw.get("BackoffRate", 2.0),
            max_delay_seconds=raw.get("MaxDelaySeconds"),
            jitter_strategy=raw.get("JitterStrategy", "NONE"),
        )


@dataclass(frozen=True)
class Catcher:
    """One entry of a state's `Catch` list."""

    error_equals: tuple[str, ...]
    next: str
    result_path: PathField = PathField()
    assign: Mapping[str, Any] | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Catcher:
        return cls(
            error_equals=tuple(raw.get("ErrorEquals", ())),
            next=raw.get("Next", ""),
            result_path=PathField.read(raw, "ResultPath"),
            assign=raw.get("Assign"),
        )


@dataclass(frozen=True, kw_only=True)
class StateBase:
    """Fields every state may carry; state modules subclass this with their own fields."""

    # Whether `$$.State` holds RetryCount here. AWS puts it only in the states that take a Retry
    # field (Task, Parallel, Map): its recorded `$$` of a Pass state has just Name and EnteredTime
    # (LocalStack's AWS-validated context_object/test_context_object.snapshot.json, test_input_path).
    counts_retries: ClassVar[bool] = False

    name: str
    type: str
    raw: Mapping[str, Any] = field(repr=False)
    comment: str | None = None
    next: str | None = None
    end: bool = False
    input_path: PathField = PathField()
    output_path: PathField = PathField()
    parameters: Any = None
    result_selector: Any = None
    result_path: PathField = PathField()
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    assign: Mapping[str, Any] | None = None

    @staticmethod
    def common(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments for the common fields, read from the raw state."""
        return {
            "name": name,
            "type": raw["Type"],
            "raw": raw,
            "comment": raw.get("Comment"),
            "next": raw.get("Next"),
            "end": bool(raw.get("End", False)),
            "input_path": PathField.read(raw, "InputPath"),
            "output_path": PathField.read(raw, "OutputPath"),
            "parameters": raw.get("Parameters"),
            "result_selector": raw.get("ResultSelector"),
            "result_path": PathField.read(raw, "ResultPath"),
            "retry": tuple(Retrier.from_dict(item) for item in raw.get("Retry", ())),
            "catch": tuple(Catcher.from_dict(item) for item in raw.get("Catch", ())),
            "assign": raw.get("Assign"),
        }


@dataclass(frozen=True)
class MachineDefinition:
    """A state machine, or a Parallel branch / Map item processor (same shape: StartAt + States)."""

    start_at: str
    states: Mapping[str, StateBase]
    raw: Mapping[str, Any] = field(repr=False)
    comment: str | None = None
    timeout_seconds: float | None = None

    def state(self, name: str) -> StateBase:
        try:
            return self.states[name]
        except KeyError:
            raise DefinitionError(f"no state named '{name}'", state=name) from None


# Builds a machine (top level, branch or item processor) from its ASL object; the loader passes it
# to the states that hold machines of their own (Parallel, Map), so none of them imports the loader.
MachineParser = Callable[[Mapping[str, Any]], MachineDefinition]
