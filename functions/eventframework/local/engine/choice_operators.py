"""The comparison operators of Choice rules (JSONPath mode), as one typed table.

AWS's rule, which the recorded executions confirm operator by operator: a comparison whose
variable (or `...Path` operand) has the wrong JSON type is simply false, never an error. Strings
compare as Java does (UTF-16 code units), numbers by value (`0 == 0.0`), booleans are never
numbers, and timestamps are RFC 3339 with an uppercase `T` and a `Z` or numeric offset, compared
as instants to the nanosecond.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from functools import lru_cache
from typing import Any

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Operand(Enum):
    """What the operator's own field must hold in the definition."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    PATH = "path"
    FLAG = "flag"


@dataclass(frozen=True)
class Operator:
    """One comparison: `test(value, operand)` is only called when both have the accepted type."""

    name: str
    operand: Operand
    accepts: Callable[[Any], bool]
    test: Callable[[Any, Any], bool]
    reads_missing: bool = False


def is_string(value: Any) -> bool:
    return isinstance(value, str)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


def is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and parse_timestamp(value) is not None


def _anything(value: Any) -> bool:
    return True


@lru_cache(maxsize=1024)
def parse_timestamp(text: str) -> tuple[int, int] | None:
    """(seconds since the epoch, nanoseconds) of an RFC 3339 timestamp, or None if it is not one."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, zone = match.group(7) or "", match.group(8)
    offset = timedelta(0)
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = sign * timedelta(hours=hours, minutes=minutes)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        return None
    seconds = (moment - _EPOCH) // timedelta(seconds=1)
    return seconds, int(fraction.ljust(9, "0"))


def _java_key(text: str) -> bytes:
    """Big-endian UTF-16 bytes order exactly as Java's String.compareTo orders code units."""
    return text.encode("utf-16-be", "surrogatepass")


def _string_order(compare: Callable[[bytes, bytes], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, operand: compare(_java_key(value), _java_key(operand))


def _timestamp_order(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, operand: compare(parse_timestamp(value), parse_timestamp(operand))


@lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """`*` matches any run of characters; `\\*` is a literal star and `\\\\` a literal backslash."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def string_matches(value: str, pattern: str) -> bool:
    return _wildcard(pattern).fullmatch(value) is not None


_ORDERINGS: Mapping[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _comparisons() -> dict[str, Operator]:
    """String*, Numeric*, Timestamp* and BooleanEquals, each with its `...Path` twin."""
    table: dict[str, Operator] = {}
    families: list[tuple[str, Operand, Callable[[Any], bool], Callable[..., Callable[[Any, Any], bool]]]] = [
        ("String", Operand.STRING, is_string, _string_order),
        ("Numeric", Operand.NUMBER, is_number, lambda compare: compare),
        ("Timestamp", Operand.TIMESTAMP, is_timestamp, _timestamp_order),
    ]
    for family, operand, accepts, wrap in families:
        for suffix, compare in _ORDERINGS.items():
            name = family + suffix
            table[name] = Operator(name, operand, accepts, wrap(compare))
            table[name + "Path"] = Operator(name + "Path", Operand.PATH, accepts, wrap(compare))
    table["BooleanEquals"] = Operator("BooleanEquals", Operand.BOOLEAN, is_boolean, operator.eq)
    table["BooleanEqualsPath"] = Operator("BooleanEqualsPath", Operand.PATH, is_boolean, operator.eq)
    table["StringMatches"] = Operator("StringMatches", Operand.STRING, is_string, string_matches)
    return table


def _flag_test(check: Callable[[Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, flag: check(value) == flag


def _type_tests() -> dict[str, Operator]:
    """Is* operators: true when the variable's type test equals the rule's boolean."""
    checks: Mapping[str, Callable[[Any], bool]] = {
        "IsNull": lambda value: value is None,
        "IsNumeric": is_number,
        "IsString": is_string,
        "IsBoolean": is_boolean,
        "IsTimestamp": is_timestamp,
    }
    table = {
        name: Operator(name, Operand.FLAG, _anything, _flag_test(check)) for name, check in checks.items()
    }
    table["IsPresent"] = Operator(
        "IsPresent", Operand.FLAG, _anything, lambda present, flag: present == flag, reads_missing=True
    )
    return table


OPERATORS: Mapping[str, Operator] = {**_comparisons(), **_type_tests()}
"""Every JSONPath-mode comparison operator by its field name in a Choice rule."""
