"""process_records: golden MozDef output of both built-ins, dedup, dead letters and the MozDef contract."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from eventframework.definitions import load_source
from eventframework.definitions.model import KeepRaw, Limits
from eventframework.process import ErrorKind, process_records

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HOOKS = __name__  # this module is importable by name under pytest, so its functions can be hooks


def records_of(source_id: str) -> list[dict[str, Any]]:
    body = json.loads((FIXTURES / source_id / "page.json").read_text())
    return body if isinstance(body, list) else body["items"]


@pytest.mark.parametrize("source_id", ["okta-system-log", "onepassword-signin-attempts"])
def test_process_records_golden_mapping(source_id: str) -> None:
    result = process_records(load_source(source_id), records_of(source_id), set())
    expected = json.loads((FIXTURES / source_id / "expected-mozdef.json").read_text())
    assert result.dead == []
    assert result.events == expected


def test_process_records_okta_maps_severity_identity_and_time() -> None:
    first, second, third = process_records(
        load_source("okta-system-log"), records_of("okta-system-log"), set()
    ).events
    assert [e["severity"] for e in (first, second, third)] == ["INFO", "WARNING", "ERROR"]
    assert first["details"]["source_event_id"] == "6f1c2a10-5a3e-11ef-9d51-8f2c7a3b1e01"
    assert first["details"]["efw_source"] == first["source"] == "okta-system-log"
    assert first["timestamp"] == "2024-08-14T09:12:45.207000+00:00"
    assert first["details"]["sourceipaddress"] == "198.51.100.23"
    assert first["details"]["success"] is True and second["details"]["success"] is False
    assert "sourceipaddress" not in third["details"]  # null IP: no key rather than an invalid one
    assert set(first) == {
        "category", "details", "hostname", "processid", "processname", "severity",
        "source", "summary", "tags", "timestamp", "utctimestamp",
    }  # fmt: skip


def test_process_records_onepassword_keeps_the_events_own_offset() -> None:
    result = process_records(
        load_source("onepassword-signin-attempts"), records_of("onepassword-signin-attempts"), set()
    )
    success, blocked = result.events
    assert success["timestamp"] == "2024-08-14T11:32:50.000000-03:00"
    assert success["utctimestamp"] == "2024-08-14T14:32:50.000000+00:00"
    assert (success["severity"], blocked["severity"]) == ("INFO", "WARNING")
    assert blocked["details"]["reason"] == "Europe"
    assert result.newest_event_time == "2024-08-14T14:35:01.123456+00:00"


def test_process_records_delivered_lines_up_with_events() -> None:
    result = process_records(load_source("okta-system-log"), records_of("okta-system-log"), set())
    assert [d[0] for d in result.delivered] == [e["details"]["source_event_id"] for e in result.events]
    assert result.delivered[0][1] == pytest.approx(1723626765.207)


def test_process_records_drops_ids_already_delivered_and_repeats_in_the_page() -> None:
    records = records_of("okta-system-log")
    seen = {records[0]["uuid"]}
    result = process_records(load_source("okta-system-log"), [*records, copy.deepcopy(records[1])], seen)
    assert result.duplicates == 2
    assert [e["details"]["source_event_id"] for e in result.events] == [
        records[1]["uuid"],
        records[2]["uuid"],
    ]


def test_process_records_schema_invalid_is_dead_lettered_with_path_and_rule() -> None:
    record = records_of("okta-system-log")[0]
    record["severity"] = "LOUD"
    record["client"]["ipAddress"] = 42
    result = process_records(load_source("okta-system-log"), [record], set())
    assert result.events == []
    (dead,) = result.dead
    assert dead.error_kind == ErrorKind.SCHEMA_INVALID.value
    assert dead.event_key == record["uuid"]
    assert dead.raw is record
    assert "$.severity" in dead.message or "$.client.ipAddress" in dead.message
    assert "(rule " in dead.message


def test_process_records_schema_invalid_names_nested_path() -> None:
    record = records_of("okta-system-log")[0]
    record["actor"]["alternateId"] = 7  # read by the mapping as text
    (dead,) = process_records(load_source("okta-system-log"), [record], set()).dead
    assert dead.message.startswith("raw event $.actor.alternateId: must be string or null (rule type)")


def test_process_records_non_object_records_are_unparseable() -> None:
    result = process_records(load_source("okta-system-log"), ["oops", None, 3], set())
    assert [d.error_kind for d in result.dead] == ["unparseable_record"] * 3
    assert all(d.event_key.startswith("sha256:") for d in result.dead)
    assert len({d.event_key for d in result.dead}) == 3


def _permissive(source_id: str, tmp_path: Path, **changes: Any):
    schema = tmp_path / "any.schema.json"
    schema.write_text('{"type": "object"}')
    return replace(load_source(source_id), schema_file=schema, **changes)


def test_process_records_unparsable_time_is_mapping_failed(tmp_path: Path) -> None:
    definition = _permissive("okta-system-log", tmp_path)
    record = records_of("okta-system-log")[0]
    record["published"] = "yesterday"
    (dead,) = process_records(definition, [record], set()).dead
    assert dead.error_kind == "mapping_failed"
    assert "$.published" in dead.message and "'yesterday'" in dead.message


def test_process_records_missing_id_is_mapping_failed_with_content_key(tmp_path: Path) -> None:
    definition = _permissive("okta-system-log", tmp_path)
    record = records_of("okta-system-log")[0]
    del record["uuid"]
    (dead,) = process_records(definition, [record], set()).dead
    assert dead.error_kind == "mapping_failed"
    assert dead.event_key.startswith("sha256:")
    assert "$.uuid" in dead.message


def test_process_records_epoch_times_become_iso_with_offset(tmp_path: Path) -> None:
    definition = _permissive("okta-system-log", tmp_path)
    record = records_of("okta-system-log")[0]
    record["published"] = 1723626765207  # milliseconds
    (event,) = process_records(definition, [record], set()).events
    assert event["timestamp"] == "2024-08-14T09:12:45.207000+00:00"


def test_process_records_invalid_ip_moves_out_of_the_ip_field(tmp_path: Path) -> None:
    definition = _permissive("okta-system-log", tmp_path)
    record = records_of("okta-system-log")[0]
    record["client"]["ipAddress"] = "999.1.1.1"
    (event,) = process_records(definition, [record], set()).events
    assert "sourceipaddress" not in event["details"]
    assert event["details"]["sourceipaddress_invalid"] == "999.1.1.1"


def test_process_records_details_are_bounded_and_truncation_is_noted(tmp_path: Path) -> None:
    limits = Limits(max_detail_fields=8, max_string_chars=64)
    definition = _permissive("okta-system-log", tmp_path)
    definition = replace(
        definition, mapping=replace(definition.mapping, limits=limits, keep_raw=KeepRaw(True, 256))
    )
    record = records_of("okta-system-log")[0]
    record["displayMessage"] = "x" * 500
    (event,) = process_records(definition, [record], set()).events
    details = event["details"]
    assert details["displaymessage"] == "x" * 64
    notes = details["efw_truncated"]
    assert "displaymessage" in notes and "efw_overflow" in notes and "raw" in notes
    assert len(details["raw"]) == 256
    mapped = list(definition.mapping.details)
    kept = [key for key in mapped if key in details]
    assert len(kept) == 8  # the field budget
    first_overflowed = next(
        key for key in mapped[8:] if key in {"useragent", "browser", "os", "device", "city"}
    )
    assert details["efw_overflow"].startswith(f'{{"{first_overflowed}": ')  # kept as one string, not dropped


def test_process_records_nested_details_over_budget_become_one_string(tmp_path: Path) -> None:
    limits = Limits(max_detail_fields=30, max_string_chars=4096)
    definition = _permissive("okta-system-log", tmp_path)
    definition = replace(definition, mapping=replace(definition.mapping, limits=limits))
    record = records_of("okta-system-log")[0]
    record["target"] = [{"id": str(i), "type": "User", "alternateId": f"u{i}"} for i in range(50)]
    (event,) = process_records(definition, [record], set()).events
    assert isinstance(event["details"]["targets"], str)
    assert json.loads(event["details"]["targets"])[49]["alternateId"] == "u49"
    assert "targets" in event["details"]["efw_truncated"]


def add_top_level_type(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    return {**event, "type": "event"}


def epoch_string_timestamp(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    return {**event, "utctimestamp": "1723626765"}


def empty_summary(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    return {**event, "summary": "   "}


def bad_destination_ip(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    return {**event, "details": {**event["details"], "destinationipaddress": "10.0.0.300"}}


def oversized(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    return {**event, "details": {**event["details"], **{f"blob{i}": "y" * 8000 for i in range(40)}}}


def raising_hook(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    raise KeyError("vendor field")


def rename_category(event: dict[str, Any], raw: Any) -> dict[str, Any]:
    return {**event, "category": "okta-" + raw["eventType"].split(".")[0]}


@pytest.mark.parametrize(
    ("hook", "fragment"),
    [
        ("add_top_level_type", "$: must not contain {'type'} properties (rule additionalProperties)"),
        ("epoch_string_timestamp", "$.utctimestamp: must match pattern"),
        ("empty_summary", "$.summary: must match pattern"),
        ("bad_destination_ip", "$.details.destinationipaddress: cannot be validated by any definition"),
        ("oversized", "over the 262144-byte limit"),
    ],
)
def test_process_records_mozdef_contract_violations_are_dead_lettered(hook: str, fragment: str) -> None:
    definition = replace(load_source("okta-system-log"), hook=f"{HOOKS}:{hook}")
    result = process_records(definition, records_of("okta-system-log")[:1], set())
    assert result.events == []
    (dead,) = result.dead
    assert dead.error_kind == "mozdef_invalid"
    assert fragment in dead.message


def test_process_records_hook_failure_dead_letters_only_that_event() -> None:
    definition = replace(load_source("okta-system-log"), hook=f"{HOOKS}:raising_hook")
    result = process_records(definition, records_of("okta-system-log"), set())
    assert [d.error_kind for d in result.dead] == ["mapping_failed"] * 3
    assert "KeyError" in result.dead[0].message


def test_process_records_hook_runs_after_the_declarative_mapping() -> None:
    definition = replace(load_source("okta-system-log"), hook=f"{HOOKS}:rename_category")
    events = process_records(definition, records_of("okta-system-log"), set()).events
    assert [e["category"] for e in events] == ["okta-user", "okta-user", "okta-system"]


def test_process_records_newest_time_includes_dead_lettered_events() -> None:
    records = records_of("okta-system-log")
    records[2]["eventType"] = 42  # the mapping reads it as text
    result = process_records(load_source("okta-system-log"), records, set())
    assert len(result.dead) == 1
    assert result.newest_event_time == "2024-08-14T09:14:10.000000+00:00"


def test_process_records_empty_page() -> None:
    result = process_records(load_source("okta-system-log"), [], set())
    assert (result.events, result.dead, result.duplicates, result.newest_event_time) == ([], [], 0, None)


def test_process_records_content_id_for_vendors_without_one() -> None:
    # Dropbox team events and Duo's administrator log carry no id: event.id: $sha256.
    okta = replace(load_source("okta-system-log"), event_id_path="$sha256")
    records = records_of("okta-system-log")[:3]
    result = process_records(okta, [*records, copy.deepcopy(records[1])], set())
    assert len(result.events) == 3 and result.duplicates == 1
    ids = [event["details"]["source_event_id"] for event in result.events]
    assert all(key.startswith("sha256:") and len(key) == 71 for key in ids)
    again = process_records(okta, records, {key for key, _ in result.delivered})
    assert again.events == [] and again.duplicates == 3, "the same event has the same content id"


def test_process_records_severity_rules_first_table_that_knows_the_value_decides() -> None:
    audits = load_source("microsoft-graph-directory-audits")
    base = {"id": "a", "activityDateTime": "2024-08-14T09:10:00Z"}
    records = [
        base | {"id": "1", "activityDisplayName": "Add member to role", "result": "success"},
        base | {"id": "2", "activityDisplayName": "Add group", "result": "failure"},
        base | {"id": "3", "activityDisplayName": "Add group", "result": "success"},
        base | {"id": "4", "activityDisplayName": "Add group"},
    ]
    result = process_records(audits, records, set())
    assert [event["severity"] for event in result.events] == ["WARNING", "WARNING", "INFO", "NOTICE"]
