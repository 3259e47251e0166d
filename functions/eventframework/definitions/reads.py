"""What a definition reads from a raw event, and the rule its raw schema follows from that.

The raw schema is the contract the definition needs, not a copy of the vendor's type
(docs/adding-a-source.md): it requires only what the event id, the time and the cursor read, types
only what the mapping reads, and pins nothing (no enum, const or closed object). The rule is stated
once, in :func:`schema_problems`, which the catalogue's test and `efw check-source` both apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventframework.definitions.identity import id_paths
from eventframework.definitions.model import SourceDefinition, ValueKind
from eventframework.definitions.pagination_keys import PaginationType
from eventframework.definitions.paths import is_plain_key, split_path
from eventframework.definitions.templates import Placeholder, parse_template


def required_paths(definition: SourceDefinition) -> frozenset[str]:
    """The paths without which an event cannot be identified, timed or checkpointed."""
    paths = {definition.mapping.timestamp, *id_paths(definition)}
    pagination = definition.pagination
    if definition.pulled and pagination.type is PaginationType.LAST_RECORD and pagination.cursor_path:
        paths.add(pagination.cursor_path)
    return frozenset(paths)


def _template_paths(text: str) -> set[str]:
    return {part.path for part in parse_template(text) if isinstance(part, Placeholder)}


def mapped_paths(definition: SourceDefinition) -> frozenset[str]:
    """Every path the mapping reads (templates, severity, details), plus the required ones."""
    mapping = definition.mapping
    paths = set(required_paths(definition))
    for text in (mapping.summary, mapping.category, mapping.hostname, mapping.processname):
        paths |= _template_paths(text)
    if mapping.severity.path:
        paths.add(mapping.severity.path)
    paths |= {path for path, _ in mapping.severity.rules}
    for spec in mapping.details.values():
        if spec.kind is ValueKind.TEMPLATE and spec.template is not None:
            paths |= _template_paths(spec.template)
        elif spec.kind is ValueKind.PATH and spec.path is not None:
            paths.add(spec.path)
    return frozenset(paths)


PINS = ("enum", "const", "minItems", "maxItems", "oneOf", "anyOf", "allOf", "not")


def _walk(
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    yield path, schema
    for key, sub in schema.get("properties", {}).items():
        yield from _walk(sub, (*path, key))
    if isinstance(schema.get("items"), dict):
        yield from _walk(schema["items"], (*path, "0"))


def _prefixes(paths: frozenset[str], *, with_root: bool) -> set[tuple[str, ...]]:
    """Every prefix of every path as key tuples; a list index or selector stands for the item ("0")."""
    keyed = [tuple(key if is_plain_key(key) else "0" for key in split_path(path)) for path in paths]
    return {path[:depth] for path in keyed for depth in range(0 if with_root else 1, len(path) + 1)}


def schema_problems(definition: SourceDefinition, schema: dict[str, Any]) -> list[str]:
    """Where ``schema`` (the source's raw schema) breaks the rule, one line each; empty when it keeps it."""
    problems: list[str] = []
    required = {(*path, name) for path, node in _walk(schema) for name in node.get("required", ())}
    expected = _prefixes(required_paths(definition), with_root=False)
    for path in sorted(required - expected):
        problems.append(f"$.{'.'.join(path)} is required, but neither the event id, time nor cursor reads it")
    for path in sorted(expected - required):
        problems.append(f"$.{'.'.join(path)} is read by the event id, time or cursor but not required")
    readable = _prefixes(mapped_paths(definition), with_root=True)
    for path, node in _walk(schema):
        shown = "$." + ".".join(path)
        if path not in readable:
            problems.append(f"{shown} is typed, but nothing reads it")
        problems += [f"{shown} pins the vendor's values ({pin})" for pin in PINS if pin in node]
        if node.get("additionalProperties", True) is False:
            problems.append(f"{shown} is closed (additionalProperties: false)")
    return problems
