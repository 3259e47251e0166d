"""The aws-guardduty definition and mapping: golden MozDef events from the fixtures, GuardDuty's
severity bands, the remote address under each action kind, and eventbridge: definition errors that
name the file, the key and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from guardduty_world import FINDINGS, FIXTURES, finding

from eventframework.definitions import DefinitionError, load_source, load_source_file
from eventframework.eventbridge.guardduty import remote_ip_details, severity_for
from eventframework.process import process_records

REPO = Path(__file__).resolve().parents[3]


def test_guardduty_mapping_matches_golden_file() -> None:
    result = process_records(load_source("aws-guardduty"), [finding(name) for name in FINDINGS], set())
    assert result.dead == []
    assert result.events == json.loads((FIXTURES / "expected-mozdef.json").read_text())


def test_guardduty_mapping_reads_time_summary_severity_and_address() -> None:
    events = process_records(load_source("aws-guardduty"), [finding(name) for name in FINDINGS], set()).events
    assert [event["severity"] for event in events] == ["WARNING", "CRITICAL", "NOTICE", "CRITICAL"]
    assert [event["details"].get("sourceipaddress") for event in events] == [
        "203.0.113.77",
        "198.51.100.42",
        "192.0.2.9",
        None,
    ]
    brute = events[0]
    assert brute["utctimestamp"] == "2024-08-14T09:11:58.204000+00:00"  # detail.updatedAt, not receipt
    assert brute["summary"].startswith("GuardDuty UnauthorizedAccess:EC2/SSHBruteForce: 203.0.113.77 is")
    assert (brute["details"]["account"], brute["details"]["region"]) == ("111122223333", "eu-west-1")
    assert brute["details"]["findingtype"] == "UnauthorizedAccess:EC2/SSHBruteForce"
    assert events[1]["details"]["username"] == "deploy-role"


@pytest.mark.parametrize(
    ("score", "severity"),
    [(0.0, "NOTICE"), (3.9, "NOTICE"), (4.0, "WARNING"), (6.9, "WARNING"), (7.0, "CRITICAL"),
     (8.9, "CRITICAL"), (9.0, "ALERT"), (10, "ALERT"), ("high", "NOTICE"), (True, "NOTICE")],
)  # fmt: skip
def test_guardduty_severity_for_follows_guardduty_bands(score: Any, severity: str) -> None:
    assert severity_for(score) == severity


@pytest.mark.parametrize(
    "kind",
    ["networkConnectionAction", "awsApiCallAction", "kubernetesApiCallAction", "rdsLoginAttemptAction"],
)
def test_guardduty_remote_ip_details_found_under_each_action_kind(kind: str) -> None:
    action = {"actionType": "X", kind: {"remoteIpDetails": {"ipAddressV4": "198.51.100.1"}}}
    assert remote_ip_details(action) == {"ipAddressV4": "198.51.100.1"}


def test_guardduty_invalid_remote_address_is_left_out() -> None:
    event = finding("ssh-brute-force")
    remote = event["detail"]["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]
    remote["ipAddressV4"] = "not-an-ip"
    (mapped,) = process_records(load_source("aws-guardduty"), [event], set()).events
    assert "sourceipaddress" not in mapped["details"]


def test_eventbridge_definition_is_push_only_and_defaults_delivery_id() -> None:
    definition = load_source("aws-guardduty")
    assert definition.pulled is False and definition.webhook is None
    assert definition.eventbridge is not None
    assert (definition.eventbridge.source, definition.eventbridge.detail_type) == (
        "aws.guardduty",
        "GuardDuty Finding",
    )


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "aws-guardduty.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _guardduty_doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "sources/aws-guardduty.yaml").read_text())
    return doc


def test_eventbridge_definition_without_delivery_id_uses_event_id_and_time(tmp_path: Path) -> None:
    doc = _guardduty_doc()
    del doc["eventbridge"]["delivery_id"]
    spec = load_source_file(_write(tmp_path, doc)).eventbridge
    assert spec is not None and spec.delivery_id == ("detail.id", "detail.updatedAt")


def test_eventbridge_definition_missing_detail_type_names_key_and_fix(tmp_path: Path) -> None:
    doc = _guardduty_doc()
    del doc["eventbridge"]["detail_type"]
    with pytest.raises(DefinitionError) as caught:
        load_source_file(_write(tmp_path, doc))
    assert "aws-guardduty.yaml" in str(caught.value)
    assert "detail_type" in str(caught.value)
    assert caught.value.fix


def test_eventbridge_definition_rejects_unknown_keys_and_bad_paths(tmp_path: Path) -> None:
    doc = _guardduty_doc()
    doc["eventbridge"]["detail-type"] = "GuardDuty Finding"
    doc["eventbridge"]["delivery_id"] = ["detail id"]
    with pytest.raises(DefinitionError) as caught:
        load_source_file(_write(tmp_path, doc))
    paths = {problem.path for problem in caught.value.problems}
    assert any(path.startswith("eventbridge") for path in paths), paths
    assert "detail-type" in str(caught.value) and "detail id" in str(caught.value)


def test_eventbridge_definition_with_one_pull_section_asks_for_all_or_none(tmp_path: Path) -> None:
    doc = {**_guardduty_doc(), "schedule": "rate(5 minutes)"}
    with pytest.raises(DefinitionError) as caught:
        load_source_file(_write(tmp_path, doc))
    assert {"request", "auth", "pagination", "records", "cursor"} <= {p.path for p in caught.value.problems}
    assert "remove every pull section for a push-only source" in caught.value.fix
