"""Golden mappings of the catalogue's sources: fixture page -> exactly the MozDef events on file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.support.catalogue import CATALOGUE

from eventframework.definitions import load_source
from eventframework.definitions.identity import event_id_reader
from eventframework.definitions.paths import compile_path
from eventframework.process import process_records

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture_events(source_id: str) -> list[dict[str, Any]]:
    body = json.loads((FIXTURES / source_id / "page.json").read_text())
    records: list[dict[str, Any]] = compile_path(load_source(source_id).records_path)(body)
    return records


@pytest.mark.parametrize("source_id", CATALOGUE)
def test_catalogue_mapping_matches_golden_file(source_id: str) -> None:
    result = process_records(load_source(source_id), fixture_events(source_id), set())
    expected = json.loads((FIXTURES / source_id / "expected-mozdef.json").read_text())
    assert result.dead == []
    assert result.events == expected


@pytest.mark.parametrize("source_id", CATALOGUE)
def test_catalogue_mapping_uses_event_time_identity_and_address(source_id: str) -> None:
    raw = fixture_events(source_id)
    definition = load_source(source_id)
    events = process_records(definition, raw, set()).events
    severities = {e["severity"] for e in events}
    assert len(severities) > 1, "severity must distinguish the fixture's benign and risky events"
    # A feed whose events name no person or address (Duo telephony) maps neither; every other does.
    mapped = definition.mapping.details
    for event, record in zip(events, raw, strict=True):
        assert event["utctimestamp"].startswith("2024-08-14T09:1")
        assert "username" not in mapped or event["details"]["username"]
        assert event["summary"] and "{" not in event["summary"]
        assert event["details"]["source_event_id"] == str(event_id_reader(definition)(record))
    assert "sourceipaddress" not in mapped or any("sourceipaddress" in e["details"] for e in events)


def test_catalogue_duo_fraud_is_critical_and_unsuccessful() -> None:
    events = process_records(
        load_source("duo-authentication-log"), fixture_events("duo-authentication-log"), set()
    ).events
    fraud = next(e for e in events if e["details"]["result"] == "fraud")
    assert (fraud["severity"], fraud["details"]["success"]) == ("CRITICAL", False)


def test_catalogue_graph_success_follows_error_code_zero() -> None:
    events = process_records(
        load_source("microsoft-graph-signins"), fixture_events("microsoft-graph-signins"), set()
    ).events
    assert [e["details"]["success"] for e in events] == [False, False, True]
    assert events[1]["details"]["sourceipaddress"] == "2001:db8::7"
