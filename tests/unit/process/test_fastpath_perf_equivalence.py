"""The hot path's fast checks and encoders against the reference behaviour they stand in for.

No timings here: each test holds a fast path to the reference (fastjsonschema, json.dumps, the
bounding walker) on generated, sandbox and mutated inputs.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.json_values import json_values as any_json_values
from tests.support.process_results import assert_same_results

from eventframework.definitions import load_source
from eventframework.definitions.model import Limits
from eventframework.local.sandbox.okta_events import OktaEventFactory
from eventframework.local.sandbox.onepassword_events import OnePasswordEventFactory
from eventframework.process import SchemaViolationError, check, mozdef_validator
from eventframework.process.bounds import bound_details
from eventframework.process.encoding import MAX_EVENT_BYTES, body_json, raw_json
from eventframework.process.fastpath import mozdef_fast_ok, raw_check_for
from eventframework.process.page import PageProcessor, serialised_size, size_within_limit

SOURCES = {"okta-system-log": OktaEventFactory, "onepassword-signin-attempts": OnePasswordEventFactory}
json_values = any_json_values(24)


def sandbox_records(source_id: str, count: int = 60) -> list[dict[str, Any]]:
    factory = SOURCES[source_id](3)
    return [factory(i, 1_700_000_000_000 + i * 1000) for i in range(count)]


def reference_accepts(validator: Any, value: Any) -> bool:
    try:
        check(validator, value)
    except SchemaViolationError:
        return False
    return True


MUTATIONS = [
    ("uuid", 5),
    ("uuid", ""),
    ("published", "2024-01-01T00:00:00Z\n"),
    ("published", "2024-01-01 00:00:00"),
    ("severity", "NOTICE"),
    ("client", {"geographicalContext": {"postalCode": 94107.0}}),
    ("client", {"geographicalContext": {"postalCode": 94107}}),
    ("client", {"ipAddress": 7}),
    ("actor", []),
    ("eventType", None),
]


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_raw_json_matches_json_dumps_value_and_cut(value: Any) -> None:
    reference = json.dumps(value, default=str, separators=(",", ":"))
    for limit in (8, 64, len(reference), 16384):
        text, cut = raw_json(value, None, limit)
        assert cut == (len(reference) > limit)
        if cut:
            assert text == reference[:limit]
        else:
            assert json.loads(text) == json.loads(reference)


def test_raw_json_is_json_dumps_text_for_sandbox_events() -> None:
    for record in sandbox_records("okta-system-log") + sandbox_records("onepassword-signin-attempts"):
        assert raw_json(record, None, 16384)[0] == json.dumps(record, default=str, separators=(",", ":"))


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_body_json_encodes_the_same_value_as_json_dumps(value: Any) -> None:
    assert json.loads(body_json(value)) == json.loads(json.dumps(value, ensure_ascii=False))


def test_body_json_writes_non_finite_floats_as_null() -> None:
    assert json.loads(body_json({"a": math.nan, "b": math.inf})) == {"a": None, "b": None}


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_raw_fast_check_accepts_only_what_the_reference_accepts(source_id: str) -> None:
    pytest.importorskip("jsonschema_rs")
    definition = load_source(source_id)
    processor = PageProcessor(definition)
    fast = raw_check_for(definition.schema_file)
    assert fast is not None
    records = sandbox_records(source_id)
    assert all(fast(record) for record in records)  # the fast path really is taken
    for record in records[:10]:
        for key, value in MUTATIONS:
            mutated = {**copy.deepcopy(record), key: value}
            if fast(mutated):
                assert reference_accepts(processor.raw_validator, mutated), (key, value)


NUMBER_SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer"},
    {"type": ["integer", "null"]},
    {"type": "number"},
    {"type": "integer", "minimum": 0, "maximum": 10},
    {"type": "integer", "multipleOf": 2},
    {"enum": [1, 2]},
    {"const": 1},
]
NUMBERS: list[Any] = [
    5,
    5.0,
    -0.0,
    1e300,
    2.0**53 + 1,
    math.inf,
    -math.inf,
    math.nan,
    True,
    2**64,
    2**200,
    5.5,
    None,
]


@pytest.mark.parametrize("schema", NUMBER_SCHEMAS, ids=[json.dumps(s) for s in NUMBER_SCHEMAS])
def test_raw_fast_check_agrees_with_reference_on_integers_and_floats(
    schema: dict[str, Any], tmp_path: Any
) -> None:
    """JSON Schema's integer includes 5.0: the Rust check may only be stricter (NaN, infinities)."""
    pytest.importorskip("jsonschema_rs")
    path = tmp_path / "numbers.schema.json"
    path.write_text(json.dumps({"type": "object", "properties": {"n": schema}}))
    fast = raw_check_for(path)
    assert fast is not None
    reference = fastjsonschema.compile(json.loads(path.read_text()))
    for number in NUMBERS:
        try:
            reference({"n": number})
            accepted = True
        except fastjsonschema.JsonSchemaValueException:
            accepted = False
        if fast({"n": number}):
            assert accepted, number
        elif isinstance(number, float) and math.isfinite(number):
            assert not accepted, number  # finite numbers: the same answer, so the fast way is taken


def normalised_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for source_id in SOURCES:
        result = PageProcessor(load_source(source_id)).process(sandbox_records(source_id, 20), set())
        events += result.events
    return events


EVENT_MUTATIONS: list[tuple[str, Any]] = [
    ("summary", " \t"),
    ("summary", ""),
    ("category", "x" * 257),
    ("hostname", ""),
    ("processid", True),
    ("processid", "12"),
    ("severity", "WARN"),
    ("tags", ["a", 1]),
    ("timestamp", "2024-01-01T00:00:00"),
    ("utctimestamp", "2024-01-01T00:00:00.1234567Z"),
    ("type", "x"),
    ("details", {"source_event_id": "a", "efw_source": "s", "sourceipaddress": "10.0.0.1%eth0"}),
    ("details", {"source_event_id": "a", "efw_source": "s", "destinationipaddress": "::1"}),
    ("details", {"source_event_id": "", "efw_source": "s"}),
    ("details", []),
]


def test_mozdef_fast_check_accepts_only_what_the_schema_accepts() -> None:
    validator = mozdef_validator()
    events = normalised_events()
    assert events and all(mozdef_fast_ok(event) for event in events)
    for event in events[:5]:
        for key, value in EVENT_MUTATIONS:
            mutated = {**copy.deepcopy(event), key: value}
            if mozdef_fast_ok(mutated):
                assert reference_accepts(validator, mutated), (key, value)
        missing = {k: v for k, v in event.items() if k != "tags"}
        assert not mozdef_fast_ok(missing)


def test_size_within_limit_agrees_with_serialised_size() -> None:
    event = normalised_events()[0]
    for padding in (0, 40_000, MAX_EVENT_BYTES - 3000, MAX_EVENT_BYTES, MAX_EVENT_BYTES + 10):
        big = {**event, "details": {**event["details"], "pad": "é" * (padding // 6) + "x" * padding}}
        fits, _ = size_within_limit(big, plain=True)
        assert fits == (serialised_size(big) <= MAX_EVENT_BYTES)


@given(st.dictionaries(st.text(max_size=5), json_values, max_size=8), st.integers(1, 12), st.integers(1, 30))
@settings(max_examples=300, deadline=None)
def test_bound_details_shared_equals_copied(details: dict[str, Any], fields: int, chars: int) -> None:
    limits = Limits(max_detail_fields=fields, max_string_chars=chars)
    assert bound_details(details, limits, share=True) == bound_details(copy.deepcopy(details), limits)


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_page_processor_fast_path_equals_reference_path(source_id: str) -> None:
    definition = load_source(source_id)
    records = sandbox_records(source_id, 40)
    records[3] = {**records[3], "severity": 12}  # dead letters must match too
    fast, reference = PageProcessor(definition), PageProcessor(definition)
    reference.raw_fast, reference.plain, reference.fused = None, False, None  # no fast path at all
    got, want = fast.process(copy.deepcopy(records), set()), reference.process(copy.deepcopy(records), set())
    assert_same_results(got, want, bodies=False)  # a reference that is not plain encodes no bodies
