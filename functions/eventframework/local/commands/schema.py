"""`efw schema sync|check`: keep the definition schema's kind sections in step with their declarations.

``$defs.pagination``, ``$defs.auth`` and ``$defs.webhook_auth`` of
``schemas/source-definition.schema.json`` are generated from ``definitions/pagination_keys.py``,
``auth_keys.py`` and ``webhook_auth_keys.py`` (see ``eventframework.definitions.kinds``). `sync`
rewrites those entries in place, leaving every other line of the hand-written file as it is; `check`
(and a test) fails when they are stale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from eventframework.definitions.auth_keys import AUTH
from eventframework.definitions.kinds import KindFamily
from eventframework.definitions.locations import display_path, schemas_dir
from eventframework.definitions.pagination_keys import PAGINATION
from eventframework.definitions.webhook_auth_keys import WEBHOOK_AUTH
from eventframework.errors import EventFrameworkError
from eventframework.local.commands.generated import sync_or_check

_DEFS_INDENT = 4


class SchemaSyncError(EventFrameworkError):
    """The schema file lacks a generated entry where `sync` expects it; ``entry`` names which."""

    def __init__(self, file: Path, entry: str, problem: str) -> None:
        self.file = file
        self.entry = entry
        super().__init__(
            f"{display_path(file)}: {entry} {problem}; keep the file's layout: '  \"$defs\": {{' "
            "at 2 spaces, each generated entry opening with its name at 4 spaces and closing with '    }'"
        )


# $defs entry -> the kinds it is generated from
FAMILIES: dict[str, KindFamily[Any, Any]] = {
    "webhook_auth": WEBHOOK_AUTH,
    "auth": AUTH,
    "pagination": PAGINATION,
}


def generated_entries() -> dict[str, dict[str, Any]]:
    """The generated ``$defs`` entries, by name."""
    return {name: family.schema() for name, family in FAMILIES.items()}


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _member(value: Any, indent: int) -> str:
    """One member of an entry: on one line, unless it holds only objects (``properties``,
    ``dependentSchemas``, ``allOf``); then each of those on a line of its own."""
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
    if not items or not all(isinstance(item, dict) for item in items):
        return _compact(value)
    pad = " " * (indent + 2)
    if isinstance(value, list):
        lines, brackets = [pad + _compact(item) for item in value], "[]"
    else:
        lines, brackets = [f"{pad}{json.dumps(name)}: {_compact(item)}" for name, item in value.items()], "{}"
    return brackets[0] + "\n" + ",\n".join(lines) + "\n" + " " * indent + brackets[1]


def dumps(entry: dict[str, Any], indent: int) -> str:
    """A generated ``$defs`` entry in the file's hand-written style, opening brace to closing brace."""
    pad = " " * (indent + 2)
    lines = [f"{pad}{json.dumps(name)}: {_member(member, indent + 2)}" for name, member in entry.items()]
    return "{\n" + ",\n".join(lines) + "\n" + " " * indent + "}"


def synced_text(text: str, file: Path) -> str:
    """``text`` with each generated ``$defs`` entry replaced by its current form."""
    defs_at = text.find('\n  "$defs": {\n')
    if defs_at < 0:
        raise SchemaSyncError(file, "$defs", "not found")
    for name, schema in generated_entries().items():
        head = f'\n{" " * _DEFS_INDENT}"{name}": {{\n'
        start = text.find(head, defs_at)
        end = text.find(f"\n{' ' * _DEFS_INDENT}}}", start + 1)
        if start < 0 or end < 0:
            raise SchemaSyncError(file, f"$defs.{name}", "not found")
        lead = f'{" " * _DEFS_INDENT}"{name}": '
        text = text[: start + 1] + lead + dumps(schema, _DEFS_INDENT) + text[end + _DEFS_INDENT + 2 :]
    try:
        defs = json.loads(text)["$defs"]
    except (ValueError, KeyError) as exc:
        raise SchemaSyncError(file, "$defs", "could not be rewritten as valid JSON") from exc
    for name, schema in generated_entries().items():
        if defs.get(name) != schema:
            raise SchemaSyncError(file, f"$defs.{name}", "could not be rewritten")
    return text


def definition_schema_file() -> Path:
    return schemas_dir() / "source-definition.schema.json"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="regenerate (sync) or verify (check) the definition schema's kind entries",
    )
    parser.add_argument("action", choices=("sync", "check"))
    parser.add_argument(
        "--file", type=Path, default=None, help="the definition schema (default: the project's)"
    )
    parser.set_defaults(func=schema_command)


def schema_command(args: argparse.Namespace) -> int:
    file: Path = args.file or definition_schema_file()
    wanted = synced_text(file.read_text(encoding="utf-8"), file)
    return sync_or_check(
        args.action, file, wanted, origin="the kinds' declarations", command="efw schema sync"
    )
