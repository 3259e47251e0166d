"""Keeping ``details`` within what MozDef's index can hold, without dropping anything silently.

The index has a field limit, so ``details`` gets a leaf-field budget: a nested value that would
exceed it is stored as one JSON string instead of many fields, strings longer than the cap are cut,
and every such change is listed in ``details.efw_truncated`` (dotted paths), so an analyst knows.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from typing import Any

import orjson

from eventframework.definitions.model import Limits
from eventframework.process.contract import IP_KEYS

# Addresses repeat (the same users, offices, NATs), so validity is cached; a bounded few thousand
# keeps the hits without letting a stream of distinct addresses grow a long pull's memory.
IP_CACHE_SIZE = 4096


@lru_cache(maxsize=IP_CACHE_SIZE)
def is_valid_ip(value: str) -> bool:
    """True for a plain IPv4/IPv6 address (no zone id: MozDef's index rejects it)."""
    if "%" in value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def ip_stays(value: Any) -> bool:
    """Whether :func:`move_invalid_ips` leaves a value of an IP key in place: none, or a valid IP."""
    return value is None or (type(value) is str and is_valid_ip(value))


def move_invalid_ips(details: dict[str, Any]) -> None:
    """An invalid IP moves to ``<key>_invalid`` (kept for the analyst, out of the IP-typed field)."""
    for key in IP_KEYS:
        value = details.get(key)
        if not ip_stays(value):
            details[f"{key}_invalid"] = str(value)[:256]
            del details[key]


def kept_scalar(value: Any, max_chars: int) -> bool:
    """A value the bounding below leaves as it is whatever the budget: a scalar, a string within the cap."""
    if type(value) is str:
        return len(value) <= max_chars
    return value is None or type(value) in (bool, int, float)


def values_within(value: Any) -> int:
    """An upper bound on the values inside an object or list, itself excluded, from its compact text.

    Each value but the first of a container follows a comma, and each container opens with a bracket
    or brace; the same characters inside strings only raise the count. The bounding walker spends at
    most 1 + this on the value (one per scalar) and finds it within the field budget when that much is
    left (its leaves are values too): so a ``details`` whose keys plus these counts fit the budget,
    and whose strings are all within the cap, is left as it is (the generated builder's proof that
    it may skip :func:`bound_details`).
    """
    text = orjson.dumps(value)
    return text.count(b",") + text.count(b"[") + text.count(b"{")


def _leaves(value: Any, limit: int) -> int:
    """Leaf count of ``value``, stopping early once it passes ``limit``."""
    if type(value) is dict:
        items: Any = value.values()
    elif type(value) is list:
        items = value
    else:
        return 1
    total = 0
    for item in items:
        total += _leaves(item, limit - total)
        if total > limit:
            break
    return max(total, 1)


def _shape(value: Any, max_chars: int) -> tuple[int, int, bool]:
    """(leaves as :func:`_leaves` counts them, scalars, whether a string is longer than ``max_chars``).

    One walk that tells whether the walker below would change ``value`` at all (it would not if it
    fits the budget and holds no long string) and how much budget it would spend (one per scalar).
    """
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    elif kind is str:
        return 1, 1, len(value) > max_chars
    else:
        return 1, 1, False
    leaves = scalars = 0
    long_string = False
    for item in items:
        item_leaves, item_scalars, item_long = _shape(item, max_chars)
        leaves += item_leaves
        scalars += item_scalars
        long_string = long_string or item_long
    return max(leaves, 1), scalars, long_string


class _Bounder:
    def __init__(self, limits: Limits) -> None:
        self.max_chars = limits.max_string_chars
        self.budget = limits.max_detail_fields
        self.notes: list[str] = []

    def value(self, value: Any, path: str) -> Any:
        kind = type(value)
        if kind is str:
            self.budget -= 1
            if len(value) > self.max_chars:
                self.notes.append(path)
                return value[: self.max_chars]
            return value
        if kind is dict or kind is list:
            if _leaves(value, self.budget) > self.budget:
                self.notes.append(path)
                self.budget -= 1
                return json.dumps(value, default=str)[: self.max_chars]
            if kind is dict:
                return {k: self.value(v, f"{path}.{k}") for k, v in value.items()}
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(value)]
        self.budget -= 1
        return value


def _nested(bounder: _Bounder, value: Any, key: str, share: bool) -> Any:
    if share:
        leaves, scalars, long_string = _shape(value, bounder.max_chars)
        if leaves <= bounder.budget and not long_string:
            bounder.budget -= scalars
            return value
    return bounder.value(value, key)


def bound_details(details: dict[str, Any], limits: Limits, *, share: bool = False) -> dict[str, Any]:
    """A bounded copy of ``details`` with ``efw_truncated`` listing what was cut or flattened.

    Flat scalars (the usual case) are handled inline; only nested values go through the walker.
    Keys beyond the field budget are not dropped: they are kept together as one JSON string in
    ``efw_overflow``. ``share``: a nested value the walker would leave unchanged is kept as the same
    object instead of copied (the pipeline's hot path, where nothing mutates events afterwards).
    """
    bounder = _Bounder(limits)
    max_chars = limits.max_string_chars
    bounded: dict[str, Any] = {}
    overflow: dict[str, Any] = {}
    for key, value in details.items():
        kind = type(value)
        if bounder.budget <= 0:
            overflow[key] = value
        elif kind is dict or kind is list:
            bounded[key] = _nested(bounder, value, key, share)
        elif kind is str and len(value) > max_chars:
            bounder.notes.append(key)
            bounder.budget -= 1
            bounded[key] = value[:max_chars]
        else:
            bounder.budget -= 1
            bounded[key] = value
    if overflow:
        bounder.notes.append("efw_overflow")
        bounded["efw_overflow"] = json.dumps(overflow, default=str)[:max_chars]
    if bounder.notes:
        bounded["efw_truncated"] = bounder.notes
    return bounded
