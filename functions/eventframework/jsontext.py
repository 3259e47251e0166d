"""JSON text of values the standard library cannot encode because they nest too deeply.

A leaf module (it imports nothing of the package), so the stores, the definitions' content keys and
the processing path can all use it without import cycles.
"""

from __future__ import annotations

import json
from typing import Any

_CLOSE = {dict: "}", list: "]"}


def dumps_deep(value: Any, *, sort_keys: bool = False) -> str:
    """Compact JSON text of ``value`` however deeply it nests (no recursion: an explicit stack).

    For the rare value ``json.dumps`` gives up on with a ``RecursionError`` (a record nested near the
    1,024 levels orjson decodes): its dead letter must still keep the record as it came. Scalars
    are spelt by ``json.dumps``; keys are made text as ``json.dumps`` does for ``default=str``.
    """
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            parts.append(item)
            continue
        kind = type(item)
        if kind is dict or kind is list:
            parts.append("{" if kind is dict else "[")
            stack.append(_Text(_CLOSE[kind]))
            children = _children(item, sort_keys) if kind is dict else [("", child) for child in item]
            for index in range(len(children) - 1, -1, -1):
                label, child = children[index]
                stack.append(child)
                stack.append(_Text(("," if index else "") + label))
        else:
            parts.append(json.dumps(item, default=str))
    return "".join(parts)


def _children(item: dict[Any, Any], sort_keys: bool) -> list[tuple[str, Any]]:
    pairs = sorted(item.items(), key=lambda pair: str(pair[0])) if sort_keys else item.items()
    return [(json.dumps(str(key)) + ":", child) for key, child in pairs]


class _Text(str):
    """Literal JSON text on :func:`dumps_deep`'s stack (told apart from string values by type)."""
