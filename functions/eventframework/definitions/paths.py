"""Dotted paths into JSON documents (``actor.alternateId``, ``target.0.id``, ``$`` for the document).

A key that itself contains dots is written in brackets: ``[@odata.nextLink]`` (Microsoft Graph). A
bracket holding ``field=value`` selects the first object of a list whose ``field`` is ``value``
(Google's activity parameters: ``events.0.parameters.[name=doc_title].value``), for vendors that
send named values as a list of pairs; a missing match reads as ``None`` like any missing key.

Compiled once into plain functions so the hot path does no string splitting. A missing key, a null on
the way, or an index out of range all read as ``None``: vendors use null and absent interchangeably.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

Getter = Callable[[Any], Any]


Selector = tuple[str, str]


def selector_of(key: str) -> Selector | None:
    """``(field, value)`` for a ``field=value`` key (only brackets can hold ``=``), else None."""
    field, sep, value = key.partition("=")
    return (field, value) if sep and field else None


def is_plain_key(key: str) -> bool:
    """An object key read with ``dict.get``: not a list index, not a selector."""
    return not key.lstrip("-").isdigit() and selector_of(key) is None


def _select(items: list[Any], selector: Selector) -> Any:
    field, value = selector
    for item in items:
        if type(item) is dict and item.get(field) == value:
            return item
    return None


def _step(obj: Any, key: str, index: int | None, selector: Selector | None) -> Any:
    if type(obj) is dict:
        return obj.get(key)
    if type(obj) is list:
        if index is not None and -len(obj) <= index < len(obj):
            return obj[index]
        if selector is not None:
            return _select(obj, selector)
    return None


def _identity(obj: Any) -> Any:
    return obj


def split_path(path: str) -> tuple[str, ...]:
    """The keys of ``path``; a bracketed segment is one key, dots included (``[a.b].c`` -> a.b, c)."""
    if "[" not in path:
        return tuple(path.split("."))
    keys: list[str] = []
    rest = path
    while rest:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0:
                raise ValueError(f"unclosed '[' in path {path!r}")
            keys.append(rest[1:end])
            rest = rest[end + 1 :].removeprefix(".")
        else:
            key, _, rest = rest.partition(".")
            keys.append(key)
    return tuple(keys)


@lru_cache(maxsize=4096)
def compile_path(path: str) -> Getter:
    """A function reading ``path`` from a parsed JSON value; ``$`` returns the value itself."""
    if path == "$":
        return _identity
    keys = split_path(path)
    steps = tuple((k, int(k) if k.lstrip("-").isdigit() else None, selector_of(k)) for k in keys)
    if all(is_plain_key(key) for key in keys) and len(keys) <= 3:
        return _dict_only(keys)

    def get_many(obj: Any) -> Any:
        for key, index, selector in steps:
            obj = _step(obj, key, index, selector)
            if obj is None:
                return None
        return obj

    return get_many


def _dict_only(keys: tuple[str, ...]) -> Getter:
    """Unrolled getters for the common case: one to three object keys, no list index."""
    first = keys[0]
    if len(keys) == 1:

        def get_one(obj: Any) -> Any:
            return obj.get(first) if type(obj) is dict else None

        return get_one
    second = keys[1]
    if len(keys) == 2:

        def get_two(obj: Any) -> Any:
            if type(obj) is not dict:
                return None
            obj = obj.get(first)
            return obj.get(second) if type(obj) is dict else None

        return get_two
    third = keys[2]

    def get_three(obj: Any) -> Any:
        if type(obj) is not dict:
            return None
        obj = obj.get(first)
        if type(obj) is not dict:
            return None
        obj = obj.get(second)
        return obj.get(third) if type(obj) is dict else None

    return get_three


def plain_keys(path: str) -> tuple[str, ...] | None:
    """The keys of a path made of object keys only (no list index or selector, not ``$``), else None."""
    if path == "$":
        return None
    keys = split_path(path)
    return keys if all(is_plain_key(key) for key in keys) else None
