"""JSON-value helpers the intrinsic functions share: argument checks, JSON equality, Java-style text.

AWS runs Step Functions on the JVM, and it shows: `States.Format` renders an object argument as
`{a=1, b=[]}` (Java's `Map.toString`), `States.MathAdd` rounds a fractional argument as
`Math.round` does (half up, toward +inf), and `true` is never equal to `1`. These helpers keep
those rules in one place so every function applies them alike.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from eventframework.local.engine.errors import StatesError, StatesErrorName


class IntrinsicArgumentError(StatesError):
    """An intrinsic function received arguments it cannot work with (States.IntrinsicFailure).

    `function` is the full name (`States.ArrayGetItem`), `reason` says what was wrong and what
    the function expects, so the author can fix the definition or the input that fed it.
    """

    def __init__(self, function: str, reason: str) -> None:
        self.function = function
        self.reason = reason
        super().__init__(StatesErrorName.INTRINSIC_FAILURE, f"Invalid arguments in {function}: {reason}")


@dataclass(frozen=True)
class IntrinsicEnvironment:
    """The non-deterministic inputs of intrinsics, injectable so tests and replays are repeatable."""

    rng: random.Random = field(default_factory=random.Random)
    new_uuid: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class CallArgs:
    """Evaluated arguments of one call; `raw` holds a string literal's escaped text (else None)."""

    function: str
    values: list[Any]
    raw: list[str | None]
    env: IntrinsicEnvironment

    def fail(self, reason: str) -> IntrinsicArgumentError:
        return IntrinsicArgumentError(self.function, reason)


def type_name(value: Any) -> str:
    """The JSON type name of a value, as error messages should speak of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_number(value: Any) -> bool:
    """JSON number: Python's bool is an int, JSON's boolean is not a number."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def expect_string(args: CallArgs, index: int, what: str) -> str:
    value = args.values[index]
    if not isinstance(value, str):
        raise args.fail(f"the {what} must be a string, got {type_name(value)} {render_json(value)}")
    return value


def expect_array(args: CallArgs, index: int, what: str) -> list[Any]:
    value = args.values[index]
    if not isinstance(value, list):
        raise args.fail(f"the {what} must be an array, got {type_name(value)} {render_json(value)}")
    return value


def expect_object(args: CallArgs, index: int, what: str) -> dict[str, Any]:
    value = args.values[index]
    if not isinstance(value, dict):
        raise args.fail(f"the {what} must be a JSON object, got {type_name(value)} {render_json(value)}")
    return value


def expect_integer(args: CallArgs, index: int, what: str) -> int:
    """An integral number (1 or 1.0); fractions are refused, unlike `expect_rounded`."""
    value = args.values[index]
    if is_number(value) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    raise args.fail(f"the {what} must be an integer, got {type_name(value)} {render_json(value)}")


def expect_rounded(args: CallArgs, index: int, what: str) -> int:
    """A number rounded to an integer as Java's Math.round does: floor(x + 0.5), so -1.5 -> -1."""
    value = args.values[index]
    if not is_number(value) or not math.isfinite(value):
        raise args.fail(f"the {what} must be a number, got {type_name(value)} {render_json(value)}")
    return value if isinstance(value, int) else math.floor(value + 0.5)


def json_key(value: Any) -> Hashable:
    """A hashable form under which two JSON values are equal exactly when AWS deems them equal.

    Numbers compare by value (1 == 1.0), booleans never equal numbers, objects ignore key order.
    """
    if value is None or isinstance(value, str):
        return (type_name(value), value)
    if isinstance(value, bool):
        return ("boolean", value)
    if is_number(value):
        return ("number", int(value) if float(value).is_integer() else value)
    if isinstance(value, list):
        return ("array", tuple(json_key(item) for item in value))
    return ("object", tuple(sorted((key, json_key(item)) for key, item in value.items())))


def render_json(value: Any) -> str:
    """Compact JSON text with non-ASCII kept, as AWS prints values back (`JsonToString`)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def render_java(value: Any) -> str:
    """How the JVM turns a JSON value into text inside `States.Format`: strings bare, maps as {k=v}."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(render_java(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={render_java(item)}" for key, item in value.items()) + "}"
    return render_json(value)
