"""Every raw schema is the contract its definition needs, not a copy of the vendor's type.

It requires exactly what the event id, time and cursor read; it types only what the mapping reads;
and it never pins a vendor's values or closes an object, so a vendor's new field, new enum value or
absent optional field can never dead-letter a real event (docs/adding-a-source.md). The rule is
``definitions.reads.schema_problems``; here it is held for every shipped source and shown to bite.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventframework.definitions import list_sources, load_source
from eventframework.definitions.reads import schema_problems

SOURCES = sorted(definition.id for definition in list_sources())


def schema_of(source: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(load_source(source).schema_file.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("source", SOURCES)
def test_raw_schema_keeps_the_contract_rule(source: str) -> None:
    assert schema_problems(load_source(source), schema_of(source)) == []


def test_raw_schema_rule_names_each_kind_of_breach() -> None:
    okta = load_source("okta-system-log")
    schema = schema_of("okta-system-log")
    schema["required"] = [*schema["required"], "eventType"]
    schema["properties"]["severity"] = {"enum": ["DEBUG", "INFO", "WARN", "ERROR"]}
    schema["properties"]["version"] = {"type": "string"}
    schema["properties"]["actor"]["additionalProperties"] = False
    problems = schema_problems(okta, schema)
    assert "$.eventType is required, but neither the event id, time nor cursor reads it" in problems
    assert "$.severity pins the vendor's values (enum)" in problems
    assert "$.version is typed, but nothing reads it" in problems
    assert "$.actor is closed (additionalProperties: false)" in problems
    del schema["required"]
    assert any(
        "read by the event id, time or cursor but not required" in p for p in schema_problems(okta, schema)
    )
