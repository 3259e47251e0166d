"""Turning JSON Schema validation errors into problems a security engineer can act on.

Each jsonschema error becomes a :class:`Problem` with the JSON path of the key, the bad value and a
fix: the allowed values for an enum, "did you mean" for an unknown key, the key's description for a
missing one, the types that use a key set on a block whose type does not.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jsonschema import exceptions as js_exceptions

from eventframework.definitions.errors import Problem

SCHEMA_NAME = "schemas/source-definition.schema.json"


def dotted(parts: Iterable[Any]) -> str:
    """``['pagination', 'type']`` -> ``pagination.type``; list indices as ``[0]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "$"


def _join(parent: str, key: str) -> str:
    return key if parent == "$" else f"{parent}.{key}"


def _describe(schema: Mapping[str, Any], key: str) -> str:
    prop = schema.get("properties", {}).get(key, {})
    description = prop.get("description") if isinstance(prop, Mapping) else None
    return f" ({description})" if description else ""


def _unknown_keys(error: js_exceptions.ValidationError, path: str) -> list[Problem]:
    allowed = sorted(error.schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    problems = []
    for key in sorted(k for k in instance if k not in allowed):
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
        problems.append(Problem(_join(path, key), instance[key], f"unknown key '{key}'", hint))
    return problems


def _enum(error: js_exceptions.ValidationError, path: str) -> list[Problem]:
    options = ", ".join(str(o) for o in error.validator_value)
    close = difflib.get_close_matches(str(error.instance), [str(o) for o in error.validator_value], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return [
        Problem(
            path, error.instance, f"{error.instance!r} is not one of {options}", f"use one of those{hint}"
        )
    ]


def _required(error: js_exceptions.ValidationError, path: str) -> list[Problem]:
    missing = next((k for k in error.validator_value if k not in error.instance), "?")
    return [
        Problem(
            _join(path, missing),
            None,
            f"required key '{missing}' is missing",
            f"add '{missing}'{_describe(error.schema, missing)}",
        )
    ]


def _wrong_type(error: js_exceptions.ValidationError, path: str) -> list[Problem]:
    expected = error.validator_value
    wanted = " or ".join(expected) if isinstance(expected, list) else expected
    return [Problem(path, error.instance, f"{error.instance!r} is not of type {wanted}", f"write a {wanted}")]


def _used_elsewhere(error: js_exceptions.ValidationError) -> Problem:
    """A key set on a block whose ``type`` does not use it (the kinds' generated ``dependentSchemas``:
    the key names the rule, ``examples`` the types that use it; see ``definitions.kinds``)."""
    schema_path = list(error.relative_schema_path)
    key = str(schema_path[schema_path.index("dependentSchemas") + 1])
    block = dotted(list(error.absolute_path)[:-1])
    takers = error.schema.get("examples", []) if isinstance(error.schema, Mapping) else []
    if len(takers) == 1:
        use = f", or set {block}.type to {takers[0]}, which uses it"
    else:
        use = f", or set {block}.type to one of {', '.join(takers)}, which use it" if takers else ""
    return Problem(
        _join(block, key), None, f"'{key}' is not used by {block}.type '{error.instance}'", f"remove it{use}"
    )


def _fallback_fix(error: js_exceptions.ValidationError) -> str:
    description = error.schema.get("description") if isinstance(error.schema, Mapping) else None
    if description:
        return f"expected: {description}"
    return f"see {SCHEMA_NAME} for the allowed form"


_WORDED: dict[str, Callable[[js_exceptions.ValidationError, str], list[Problem]]] = {
    "additionalProperties": _unknown_keys,
    "enum": _enum,
    "required": _required,
    "type": _wrong_type,
}


def problems_from(error: js_exceptions.ValidationError) -> list[Problem]:
    """All problems one jsonschema error stands for (an unknown-keys error may name several keys)."""
    path = dotted(error.absolute_path)
    if error.validator in ("oneOf", "anyOf") and error.context:
        return problems_from(js_exceptions.best_match(error.context))
    if "dependentSchemas" in error.relative_schema_path and error.validator == "not":
        return [_used_elsewhere(error)]
    worded = _WORDED.get(str(error.validator))
    if worded is not None:
        return worded(error, path)
    return [Problem(path, error.instance, error.message, _fallback_fix(error))]
