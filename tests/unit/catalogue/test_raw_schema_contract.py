"""Every raw schema is the contract its definition needs, not a copy of the vendor's type.

It requires exactly what the event id, time and cursor read; it types only what the mapping reads;
and it never pins a vendor's values or closes an object, so a vendor's new field, new enum value or
absent optional field can never dead-letter a real event (docs/adding-a-source.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from eventframework.definitions import list_sources, load_source
from eventframework.definitions.paths import is_plain_key, split_path
from eventframework.definitions.reads import mapped_paths, required_paths

SOURCES = sorted(definition.id for definition in list_sources())
PINS = ("enum", "const", "minItems", "maxItems", "oneOf", "anyOf", "allOf", "not")


def schema_of(source: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(load_source(source).schema_file.read_text(encoding="utf-8"))
    return loaded


def walk(
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    yield path, schema
    for key, sub in schema.get("properties", {}).items():
        yield from walk(sub, (*path, key))
    if isinstance(schema.get("items"), dict):
        yield from walk(schema["items"], (*path, "0"))


def as_tuples(paths: frozenset[str]) -> set[tuple[str, ...]]:
    """Paths as key tuples; a list index or a ``[field=value]`` selector is a list's item ("0")."""
    return {tuple(key if is_plain_key(key) else "0" for key in split_path(path)) for path in paths}


@pytest.mark.parametrize("source", SOURCES)
def test_raw_schema_requires_exactly_the_id_time_and_cursor(source: str) -> None:
    required = {(*path, name) for path, node in walk(schema_of(source)) for name in node.get("required", ())}
    expected = {
        path[:depth]
        for path in as_tuples(required_paths(load_source(source)))
        for depth in range(1, len(path) + 1)
    }
    assert required == expected


@pytest.mark.parametrize("source", SOURCES)
def test_raw_schema_types_only_what_the_mapping_reads_and_pins_nothing(source: str) -> None:
    read = as_tuples(mapped_paths(load_source(source)))
    prefixes = {path[:depth] for path in read for depth in range(len(path) + 1)}
    for path, node in walk(schema_of(source)):
        shown = "$." + ".".join(path)
        assert path in prefixes, f"{source}: {shown} is typed but nothing reads it"
        assert not [pin for pin in PINS if pin in node], f"{source}: {shown} pins the vendor's values"
        assert node.get("additionalProperties", True) is not False, f"{source}: {shown} is closed"
