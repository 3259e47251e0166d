"""Each rule of the mapping is written once: change it in its one place and both paths change alike.

The generated builder (``process/fused.py``) calls the normaliser's own objects for every rule of the
mapping, and reads the MozDef contract's limits from ``process/contract.py``. These tests change a
rule in that one place and hold the two paths equal with the change visible in what the builder
built (a rule restated in generated code would keep the old behaviour on one path and fail them), and
hold the contract's constants to the schema they stand for.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.json_values import scalars
from tests.support.process_results import assert_same_results

from eventframework.definitions import load_source
from eventframework.definitions.build import value_spec
from eventframework.definitions.locations import schemas_dir
from eventframework.definitions.model import SEVERITIES, SeveritySpec, SourceDefinition
from eventframework.definitions.paths import compile_path
from eventframework.local.sandbox.sandbox import SOURCES as SANDBOX_SOURCES
from eventframework.process import contract, mapping
from eventframework.process.bounds import is_valid_ip
from eventframework.process.fastpath import mozdef_ip_ok
from eventframework.process.fused import ip_kept_and_accepted
from eventframework.process.page import PageProcessor
from eventframework.process.results import ProcessResult


def okta_records(count: int = 6) -> list[dict[str, Any]]:
    factory = SANDBOX_SOURCES["okta-system-log"][1](7)
    return [factory(i, 1_700_000_000_000 + i * 1000) for i in range(count)]


def both_ways(definition: SourceDefinition, records: list[Any]) -> tuple[ProcessResult, ProcessResult, int]:
    """(with the builder, without it, how many events the builder built; none without a builder)."""
    fused, reference = PageProcessor(definition), PageProcessor(definition)
    reference.fused = None
    inner = fused.fused
    built = 0

    def counting(*args: Any) -> Any:
        nonlocal built
        made = inner(*args) if inner is not None else None
        built += made is not None
        return made

    fused.fused = counting
    got = fused.process(copy.deepcopy(records), set())
    want = reference.process(copy.deepcopy(records), set())
    return got, want, built


RULE_CHANGES: dict[str, tuple[str, Any, Callable[[dict[str, Any]], bool]]] = {
    # rule: (name in process.mapping, its replacement, what the built events then show)
    "missing placeholder text": ("MISSING_TEXT", "<absent>", lambda e: "<absent>" in e["summary"]),
    "table key of a value": ("table_key", lambda value: "DEBUG", lambda e: e["severity"] == "DEBUG"),
    "category cut": ("TEXT_CHARS", {**mapping.TEXT_CHARS, "category": 2}, lambda e: e["category"] == "ok"),
    "hostname cut": ("TEXT_CHARS", {**mapping.TEXT_CHARS, "hostname": 3}, lambda e: e["hostname"] == "okt"),
    "processname cut to nothing": ("TEXT_CHARS", {**mapping.TEXT_CHARS, "processname": 0}, lambda e: False),
}


@pytest.mark.parametrize("rule", sorted(RULE_CHANGES))
def test_mapping_rule_changed_in_its_one_place_changes_both_paths(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, replacement, shows = RULE_CHANGES[rule]
    monkeypatch.setattr(mapping, name, replacement)
    definition = load_source("okta-system-log")
    severity = SeveritySpec(path="severity", table={"DEBUG": "DEBUG"}, default="INFO")
    definition = replace(definition, mapping=replace(definition.mapping, severity=severity))
    records = okta_records()
    for record in records:
        record.pop("displayMessage", None)  # a placeholder with nothing to write
    got, want, built = both_ways(definition, records)
    assert_same_results(got, want)
    if got.events:
        assert built == len(records)
        assert all(shows(event) for event in got.events)
    else:  # a cut to nothing breaks the contract: every event is the reference's to dead-letter
        assert built == 0
        assert len(got.dead) == len(records)


def test_placeholder_text_changed_changes_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    original = mapping.placeholder_text
    monkeypatch.setattr(mapping, "placeholder_text", lambda value: "<" + (original(value) or "") + ">")
    records = okta_records()
    got, want, built = both_ways(load_source("okta-system-log"), records)
    assert_same_results(got, want)
    assert built == len(records)
    assert all(event["summary"].startswith("Okta <") for event in got.events)


def test_severity_rule_changed_changes_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapping, "severity_rules", lambda spec: ((), "ALERT"))
    records = okta_records()
    got, want, built = both_ways(load_source("okta-system-log"), records)
    assert_same_results(got, want)
    assert built == len(records)
    assert {event["severity"] for event in got.events} == {"ALERT"}


def test_event_time_rule_changed_changes_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Timestamps are written in one place (the normaliser's event function): whatever ISO shape it
    writes, the builder publishes only what the contract accepts and leaves the rest to the reference."""
    original = mapping.Normaliser.write_event

    def seconds_only(self: mapping.Normaliser, code: mapping.Code) -> frozenset[str]:
        severities = original(self, code)
        code.emit("event['timestamp'] = moment.replace(microsecond=0).isoformat()")
        return severities

    monkeypatch.setattr(mapping.Normaliser, "write_event", seconds_only)
    records = okta_records()
    got, want, built = both_ways(load_source("okta-system-log"), records)
    assert_same_results(got, want)
    assert built == len(records)
    assert all("." not in event["timestamp"] for event in got.events)


def _schema() -> Any:
    return json.loads((schemas_dir() / "mozdef-event.schema.json").read_text(encoding="utf-8"))


def test_contract_constants_are_the_schemas() -> None:
    schema = _schema()
    properties = schema["properties"]
    assert contract.TOP_KEYS == set(schema["required"]) == set(properties)
    assert schema["additionalProperties"] is False
    lengths = {
        key: (properties[key]["minLength"], properties[key]["maxLength"])
        for key in properties
        if "maxLength" in properties[key]
    }
    assert lengths == {
        "category": (1, contract.CATEGORY_CHARS),
        "hostname": (1, contract.HOSTNAME_CHARS),
        "processname": (1, contract.PROCESSNAME_CHARS),
        "source": (1, contract.SOURCE_CHARS),
    }
    assert tuple(properties["severity"]["enum"]) == SEVERITIES
    assert set(SEVERITIES) == contract.SEVERITY_NAMES
    assert properties["summary"]["pattern"] == contract.NON_SPACE.pattern
    assert schema["definitions"]["iso8601_with_offset"]["pattern"] == contract.ISO_WITH_OFFSET.pattern
    details = properties["details"]["properties"]
    ip_keys = tuple(key for key, node in details.items() if node.get("$ref") == "#/definitions/ip")
    assert ip_keys == contract.IP_KEYS
    assert schema["definitions"]["ip"] == contract.IP_SCHEMA


octets = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["00", "01", "007", "", "-1", "1 ", "x"]))
addresses = st.one_of(
    st.lists(octets, min_size=3, max_size=5).map(".".join),
    st.lists(octets, min_size=4, max_size=4).map(".".join).map(lambda text: text + "\n"),
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda address: f"{address}%eth0"),
    st.text(alphabet="0123456789abcdef:.%", max_size=20),
)


@given(addresses)
@settings(max_examples=400, deadline=None)
def test_builder_ip_check_is_both_reference_rules(address: str) -> None:
    """The builder's one IP check (with its dotted-quad shortcut) is the reference's two rules joined:
    an IP left in place by ``move_invalid_ips`` that the MozDef schema then accepts."""
    assert ip_kept_and_accepted(address) == (is_valid_ip(address) and mozdef_ip_ok(address))


def test_builder_ip_check_takes_absence_and_rejects_non_strings() -> None:
    assert ip_kept_and_accepted(None)
    assert not any(ip_kept_and_accepted(value) for value in (7, True, ["1.2.3.4"], "", "1.2.3.4.5"))


READER_PATHS = ["a", "a.b", "a.b.c", "a.b.c.d", "a.0", "a.-1.b", "$", "x.y", "b", "[a.b].c"]
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "x", "y", "0", "a.b"]), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(documents)
@settings(max_examples=300, deadline=None)
def test_generated_details_read_what_compile_path_reads(document: Any) -> None:
    """The mapping's generated reads (each object read once, shared by the paths through it) are
    :func:`compile_path`'s, in the mapping's order, None left out."""
    code = mapping.Code()
    code.emit("details = {}")
    for position, path in enumerate(READER_PATHS):
        mapping.write_detail(code, f"f{position}", value_spec(path))
    code.emit("return details")
    expected = {
        f"f{position}": value
        for position, path in enumerate(READER_PATHS)
        if (value := compile_path(path)(document)) is not None
    }
    got = code.function("raw", "test")(document)
    assert got == expected
    assert list(got) == list(expected)
