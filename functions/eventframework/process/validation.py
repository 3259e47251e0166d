"""JSON Schema validation on the hot path: fastjsonschema validators compiled once per schema file.

Errors are reduced to ``<JSON path in the event>: <what is wrong> (rule <keyword>)``, e.g.
``$.client.ipAddress: must be string or null (rule type)``, so a dead letter says where to look.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema

from eventframework.definitions.errors import DefinitionError
from eventframework.definitions.locations import display_path, schemas_dir
from eventframework.errors import EventFrameworkError

Validator = Callable[[Any], Any]
MOZDEF_SCHEMA = "mozdef-event.schema.json"


class SchemaViolationError(EventFrameworkError):
    """A value failed its schema; ``path`` is the JSON path (``$.a.b[0]``) and ``rule`` the keyword."""

    def __init__(self, path: str, rule: str, detail: str) -> None:
        self.path = path
        self.rule = rule
        self.detail = detail
        super().__init__(f"{path}: {detail} (rule {rule})")


def _json_path(name: str) -> str:
    """fastjsonschema names the failing value ``data.target[0].id``; we show ``$.target[0].id``."""
    return "$" + name[4:] if name.startswith("data") else name


@lru_cache(maxsize=64)
def _compiled(path: Path, mtime_ns: int) -> Validator:
    name = display_path(path)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        return fastjsonschema.compile(schema)
    except (OSError, ValueError, fastjsonschema.JsonSchemaDefinitionException) as exc:
        raise DefinitionError.single(
            name, "$", None, f"cannot use this JSON Schema ({exc})", "write a valid draft-07 JSON Schema"
        ) from exc


def validator_for(path: Path) -> Validator:
    """The compiled validator of the schema at ``path`` (recompiled only when the file changes)."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise DefinitionError.single(
            display_path(path), "$", None, "schema file not found", "create it (see docs/adding-a-source.md)"
        ) from exc
    return _compiled(path, mtime)


def mozdef_validator() -> Validator:
    return validator_for(schemas_dir() / MOZDEF_SCHEMA)


def check(validator: Validator, value: Any) -> None:
    """Validate ``value``; raise :class:`SchemaViolationError` naming the JSON path and the rule."""
    try:
        validator(value)
    except fastjsonschema.JsonSchemaValueException as exc:
        path = _json_path(exc.name or "data")
        detail = exc.message
        if exc.name and detail.startswith(exc.name):
            detail = detail[len(exc.name) :].strip()
        raise SchemaViolationError(path, str(exc.rule), detail) from None
