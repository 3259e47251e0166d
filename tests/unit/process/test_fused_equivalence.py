"""The fused builder (one generated function per source) against the reference path it stands in for.

No timings: each test processes the same records twice, once with the fused builder and once with
it switched off, and holds every output (events, SQS bodies, dead letters, ledger entries, newest
time) equal; every event the fused builder made must also pass the MozDef schema itself.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.support.json_values import json_values as any_json_values
from tests.support.process_results import assert_same_results

from eventframework.definitions import load_source
from eventframework.definitions.build import value_spec
from eventframework.definitions.model import KeepRaw, Limits, SeveritySpec, SourceDefinition
from eventframework.local.sandbox.sandbox import SOURCES as SANDBOX_SOURCES
from eventframework.process.bounds import bound_details, is_valid_ip, values_within
from eventframework.process.encoding import fast_bytes
from eventframework.process.fastpath import mozdef_ip_ok
from eventframework.process.fused import _schema_scalar, ip_kept_and_accepted
from eventframework.process.page import PageProcessor
from eventframework.process.results import ProcessResult

json_values = any_json_values(30)


def sandbox_records(source_id: str, count: int = 30, seed: int = 5) -> list[dict[str, Any]]:
    factory = SANDBOX_SOURCES[source_id][1](seed)
    return [factory(i, 1_700_000_000_000 + i * 1000) for i in range(count)]


def both_ways(definition: SourceDefinition, records: list[Any]) -> tuple[ProcessResult, ProcessResult, int]:
    """(fused result, reference result, how many events the fused builder made itself)."""
    fused, reference = PageProcessor(definition), PageProcessor(definition)
    assert fused.fused is not None, "this definition should get a fused builder"
    reference.fused = None
    built = 0
    inner = fused.fused

    def counting(*args: Any) -> Any:
        nonlocal built
        made = inner(*args)
        built += made is not None
        return made

    fused.fused = counting
    got = fused.process(copy.deepcopy(records), {"seen-before"})
    want = reference.process(copy.deepcopy(records), {"seen-before"})
    return got, want, built


PULLED = sorted(SANDBOX_SOURCES)


@pytest.mark.parametrize("source_id", PULLED)
def test_fused_builder_equals_reference_on_sandbox_events(source_id: str) -> None:
    records = sandbox_records(source_id)
    got, want, built = both_ways(load_source(source_id), records)
    assert_same_results(got, want)
    assert built == len(records), "every ordinary sandbox event should take the fused way"


ODD_VALUES: list[Any] = [
    None,
    "",
    "   ",
    "x" * 20_000,
    "café ☕",
    "\x7f",
    1e-7,
    2**80,
    True,
    [],
    {},
    {"deep": [[[[{"a": 1}]]]]},
    list(range(300)),
    "10.0.0.1%eth0",
    "::1",
    "not an ip",
]


@pytest.mark.parametrize("source_id", ["okta-system-log", "onepassword-signin-attempts", "github-audit-log"])
@pytest.mark.parametrize("value", ODD_VALUES, ids=[repr(v)[:20] for v in ODD_VALUES])
def test_fused_builder_equals_reference_on_odd_values(source_id: str, value: Any) -> None:
    records = sandbox_records(source_id, 4)
    for record in records:  # every top-level key of one record, and one nested spot of another
        for key in list(record):
            records.append({**copy.deepcopy(record), key: value})
        break
    records.append({**records[1], "client": {"ipAddress": value, "userAgent": value}})
    records.append("not an object")
    records.append(copy.deepcopy(records[0]))  # a duplicate within the page
    got, want, _ = both_ways(load_source(source_id), records)
    assert_same_results(got, want)


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_fused_builder_equals_reference_on_perturbed_okta_events(data: st.DataObject) -> None:
    record = sandbox_records("okta-system-log", 1, seed=data.draw(st.integers(0, 50)))[0]
    for _ in range(data.draw(st.integers(0, 4))):
        holder: Any = record
        for _ in range(data.draw(st.integers(0, 2))):
            nested = [k for k, v in holder.items() if isinstance(v, dict)]
            if not nested:
                break
            holder = holder[data.draw(st.sampled_from(nested))]
        holder[data.draw(st.sampled_from([*holder, "extra"]))] = data.draw(json_values)
    got, want, _ = both_ways(load_source("okta-system-log"), [record])
    assert_same_results(got, want)


ONE_TABLE = SeveritySpec(path="c", table={"1": "ERROR", "2": "LOUD"}, default="INFO")
RULES = SeveritySpec(rules=(("a.b", {"x": "ALERT", "true": "NOTICE"}), ("c", {"1": "ERROR", "": "DEBUG"})))


def synthetic(
    tmp_path: Path, limits: Limits, keep_raw: KeepRaw, severity: SeveritySpec = ONE_TABLE
) -> SourceDefinition:
    """A definition using every kind of value (templates everywhere, constants, defaults, tables)."""
    schema = tmp_path / "anything.schema.json"
    schema.write_text(json.dumps({"type": "object", "required": ["id", "at"]}))
    okta = load_source("okta-system-log")
    details = {
        "plain": value_spec("a.b"),
        "indexed": value_spec("list.0"),
        "whole": value_spec("$"),
        "described": value_spec({"template": "{a.b} and {c}"}),
        "fixed": value_spec({"value": {"nested": ["constant"]}}),
        "defaulted": value_spec({"path": "c", "default": "none"}),
        "looked_up": value_spec({"path": "c", "map": {"1": "one", "true": "yes"}, "default": None}),
        "sourceipaddress": value_spec("ip"),
    }
    mapping = replace(
        okta.mapping,
        category="{c}",
        hostname="host-{a.b}",
        processname="fixed",
        summary="{a.b}",
        severity=severity,
        details=details,
        timestamp="at",
        limits=limits,
        keep_raw=keep_raw,
    )
    return replace(okta, id="synthetic", mapping=mapping, event_id_path="id", schema_file=schema)


documents = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=5),
        "at": st.sampled_from(
            [
                "2024-05-01T10:00:00+02:00",
                "2024-05-01T10:00:00Z",
                1_700_000_000,
                "2024-05-01T10:00:00.5-03:00",
                "2024-05-01T10:00:00+05:30:15",  # an offset in seconds: outside MozDef's ISO shape
                "0999-05-01T10:00:00Z",
                "2024-05-01T10:00:00",  # no offset: read as UTC
            ]
        ),
    },
    optional={
        "a": json_values,
        "c": json_values,
        "list": json_values,
        "ip": st.sampled_from(["10.1.2.3", "::1", "x", ""]),
    },
)


@given(
    records=st.lists(documents, max_size=6),
    fields=st.integers(1, 40),
    chars=st.integers(1, 60),
    raw_bytes=st.integers(20, 4000),
    severity=st.sampled_from([ONE_TABLE, RULES]),
)
@settings(max_examples=160, deadline=None)
def test_fused_builder_equals_reference_for_every_kind_of_value(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    records: list[Any],
    fields: int,
    chars: int,
    raw_bytes: int,
    severity: SeveritySpec,
) -> None:
    definition = synthetic(
        tmp_path_factory.mktemp("schema"),
        Limits(max_detail_fields=fields, max_string_chars=chars),
        KeepRaw(enabled=raw_bytes % 2 == 0, max_bytes=raw_bytes),
        severity,
    )
    got, want, _ = both_ways(definition, records)
    assert_same_results(got, want)


@given(st.dictionaries(st.text(max_size=4), json_values, max_size=8), st.integers(1, 60), st.integers(1, 50))
@settings(max_examples=300, deadline=None)
def test_values_within_budget_means_bounding_changes_nothing(
    raw: dict[str, Any], fields: int, chars: int
) -> None:
    """The builder's rule: strings within the cap (the whole raw text is) and keys plus the values
    inside containers within the field budget leave ``details`` as it is."""
    text = fast_bytes(raw)
    assume(text is not None)  # the builder runs only on events orjson encodes
    assert text is not None
    limits = Limits(max_detail_fields=fields, max_string_chars=chars)
    details = {f"d{i}": value for i, value in enumerate(raw.values()) if value is not None}
    spent = len(details) + sum(values_within(v) for v in details.values() if isinstance(v, dict | list))
    if len(text) <= chars and spent <= fields:
        assert bound_details(details, limits, share=True) == details


def test_fused_builder_takes_ordinary_events_of_every_kind_of_value(tmp_path: Path) -> None:
    definition = synthetic(tmp_path, Limits(), KeepRaw(enabled=True, max_bytes=16384))
    record = {
        "id": "e1",
        "at": "2024-05-01T10:00:00+02:00",
        "a": {"b": "x"},
        "c": 1,
        "list": [[1, 2]],
        "ip": "::1",
    }
    got, want, built = both_ways(definition, [record])
    assert_same_results(got, want)
    assert built == 1
    details = got.events[0]["details"]
    assert (details["described"], details["looked_up"], details["indexed"]) == ("x and 1", "one", [1, 2])
    assert got.events[0]["severity"] == "ERROR"


def test_values_within_counts_every_value_inside() -> None:
    assert values_within([{"id": "a", "type": "User"}, {"id": "b"}]) == 2 + 1 + 2  # commas, [, {
    assert values_within({}) == 1
    assert values_within({"a": "x,y"}) == 2  # a comma inside a string only raises the bound


@pytest.mark.parametrize(
    "address",
    [
        "86.151.198.202",
        "0.0.0.0",
        "255.255.255.255",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3",
        "1.2.3.4\n",
        "::1",
        "fe80::1%eth0",
    ],
)
def test_ip_fast_check_agrees_with_both_reference_checks(address: str) -> None:
    assert ip_kept_and_accepted(address) == (is_valid_ip(address) and mozdef_ip_ok(address))


SCHEMA = {
    "properties": {
        "a": {"type": ["string", "null"]},
        "b": {"type": "object", "properties": {"c": {"type": "integer", "anyOf": [{"minimum": 0}]}}},
        "r": {"$ref": "#/definitions/x", "type": "string"},
        "o": {"type": ["object", "string"]},
        "u": {"description": "no type"},
        "t": {"$ref": "#/definitions/x", "properties": {"s": {"type": "string"}}},
    }
}


@pytest.mark.parametrize(
    ("keys", "scalar"),
    [
        (("a",), True),
        (("b", "c"), True),
        (("b",), False),
        (("r",), False),  # draft 7 ignores the siblings of $ref
        (("o",), False),
        (("u",), False),
        (("missing",), False),  # additionalProperties may allow anything
        (("t", "s"), False),
    ],
)
def test_schema_scalar_only_where_the_schema_pins_a_scalar_type(keys: tuple[str, ...], scalar: bool) -> None:
    assert _schema_scalar(SCHEMA, keys) is scalar
