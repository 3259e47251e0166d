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

from eventframework.definitions.model import Limits

IP_KEYS = ("sourceipaddress", "destinationipaddress")


@lru_cache(maxsize=65536)
def is_valid_ip(value: str) -> bool:
    """True for a plain IPv4/IPv6 address (no zone id: MozDef's index rejects it)."""
    if "%" in value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def move_invalid_ips(details: dict[str, Any]) -> None:
    """An invalid IP moves to ``<key>_invalid`` (kept for the analyst, out of the IP-typed field)."""
    for key in IP_KEYS:
        value = details.get(key)
        if value is not None and not (type(value) is str and is_valid_ip(value)):
            details[f"{key}_invalid"] = str(value)[:256]
            del details[key]


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


def bound_details(details: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """A bounded copy of ``details`` with ``efw_truncated`` listing what was cut or flattened.

    Flat scalars (the usual case) are handled inline; only nested values go through the walker.
    Keys beyond the field budget are not dropped: they are kept together as one JSON string in
    ``efw_overflow``.
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
            bounded[key] = bounder.value(value, key)
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
