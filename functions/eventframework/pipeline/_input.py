"""Small readers for step input, so each request dataclass parses its event in a few lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventframework.pipeline.errors import RunRequestError


def required_str(step: str, event: Mapping[str, Any], key: str) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value:
        raise RunRequestError(step, key, "must be a non-empty string")
    return value


def optional_str(step: str, event: Mapping[str, Any], key: str) -> str | None:
    value = event.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RunRequestError(step, key, "must be a string or null")
    return value


def required_int(step: str, event: Mapping[str, Any], key: str) -> int:
    value = event.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise RunRequestError(step, key, "must be an integer")
    return int(value)


def required_bool(step: str, event: Mapping[str, Any], key: str) -> bool:
    value = event.get(key)
    if not isinstance(value, bool):
        raise RunRequestError(step, key, "must be true or false")
    return value


def required_mapping(step: str, event: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = event.get(key)
    if not isinstance(value, Mapping):
        raise RunRequestError(step, key, "must be an object")
    return value
