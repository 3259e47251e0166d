"""aws-securityhub-findings through the real EventBridge handler on moto: each finding of
detail.findings is a record (golden MozDef events from tests/fixtures/aws-securityhub-findings), the
EventBridge event id is the delivery (a redelivery is not republished, an updated finding arrives in
a new event and is), an invalid finding is dead-lettered without holding back its neighbours, and
the user guide's own envelope carries the user guide's own finding."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from tests.support.aws import AwsResources

from eventframework.definitions import load_source
from eventframework.process import process_records
from eventframework.state import DeadLetterStore

SOURCE = "aws-securityhub-findings"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / SOURCE
PAGE: list[dict[str, Any]] = json.loads((FIXTURES / "page.json").read_text(encoding="utf-8"))
GOLDEN: list[dict[str, Any]] = json.loads((FIXTURES / "expected-mozdef.json").read_text(encoding="utf-8"))


def imported(
    *findings: dict[str, Any], event_id: str = "4c1b8e0a-5d2f-4a7b-9e3c-6f1d2a8b7c90"
) -> dict[str, Any]:
    """A "Security Hub Findings - Imported" event as the user guide lays it out."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "Security Hub Findings - Imported",
        "source": "aws.securityhub",
        "account": "111122223333",
        "time": "2024-08-14T09:19:00Z",
        "region": "eu-west-1",
        "resources": [finding["ProductArn"] + "/" + finding["Id"] for finding in findings],
        "detail": {"findings": [copy.deepcopy(finding) for finding in findings]},
    }


def published(aws: AwsResources) -> list[dict[str, Any]]:
    return [json.loads(body) for body in aws.queue_bodies()]


def dead_letters(aws: AwsResources) -> list[Any]:
    return list(DeadLetterStore(aws.deadletter_table, aws.dynamodb).list(SOURCE))


def test_securityhub_mapping_matches_golden_file() -> None:
    result = process_records(load_source(SOURCE), copy.deepcopy(PAGE), set())
    assert result.dead == []
    assert result.events == GOLDEN
    assert [event["severity"] for event in result.events] == ["CRITICAL", "ALERT", "INFO", "NOTICE"]


def test_securityhub_each_imported_event_is_published_as_its_golden_event(
    invoke: Any, aws: AwsResources
) -> None:
    for position, finding in enumerate(PAGE):
        result = invoke(imported(finding, event_id=f"00000000-0000-4000-8000-00000000000{position}"))
        assert (result["source"], result["status"], result["published"]) == (SOURCE, "accepted", 1)
        assert published(aws) == [GOLDEN[position]]
    assert dead_letters(aws) == []


def test_securityhub_redelivered_event_is_acknowledged_not_republished(
    invoke: Any, aws: AwsResources
) -> None:
    event = imported(PAGE[0])
    first = invoke(event)
    assert first["delivery"] == "4c1b8e0a-5d2f-4a7b-9e3c-6f1d2a8b7c90"  # the EventBridge event id
    assert len(published(aws)) == 1
    assert invoke(copy.deepcopy(event))["status"] == "duplicate"
    assert published(aws) == []


def test_securityhub_updated_finding_arrives_in_a_new_event_and_is_published_again(
    invoke: Any, aws: AwsResources
) -> None:
    resolved = copy.deepcopy(PAGE[1])
    resolved["UpdatedAt"] = "2024-08-14T10:02:41.007Z"
    resolved["Workflow"]["Status"] = "RESOLVED"
    invoke(imported(PAGE[1], event_id="11111111-1111-4111-8111-111111111111"))
    result = invoke(imported(resolved, event_id="22222222-2222-4222-8222-222222222222"))
    assert result["status"] == "accepted"
    (new, update) = published(aws)
    assert (new["severity"], update["severity"]) == ("ALERT", "INFO")
    assert update["utctimestamp"] == "2024-08-14T10:02:41.007000+00:00"
    assert update["details"]["workflowstatus"] == "RESOLVED"


def test_securityhub_every_finding_of_an_event_is_a_record(invoke: Any, aws: AwsResources) -> None:
    result = invoke(imported(*PAGE))
    assert (result["received"], result["published"], result["dead_lettered"]) == (4, 4, 0)
    assert sorted(published(aws), key=lambda event: event["utctimestamp"]) == GOLDEN


def test_securityhub_invalid_finding_is_dead_lettered_and_its_neighbour_published(
    invoke: Any, aws: AwsResources
) -> None:
    broken = copy.deepcopy(PAGE[3])
    del broken["UpdatedAt"]
    result = invoke(imported(PAGE[0], broken))
    assert (result["published"], result["dead_lettered"]) == (1, 1)
    assert published(aws) == [GOLDEN[0]]
    (letter,) = dead_letters(aws)
    assert letter.error_kind == "schema_invalid"
    assert "UpdatedAt" in letter.message
    assert letter.event_key == PAGE[3]["Id"]


def test_securityhub_event_without_findings_list_is_dead_lettered_whole(
    invoke: Any, aws: AwsResources
) -> None:
    event = imported(PAGE[0])
    event["detail"] = {"finding": PAGE[0]}
    result = invoke(event)
    assert (result["published"], result["dead_lettered"]) == (0, 1)
    (letter,) = dead_letters(aws)
    assert "detail.findings" in letter.message


def test_securityhub_user_guide_finding_in_the_user_guide_envelope(invoke: Any, aws: AwsResources) -> None:
    vendor = FIXTURES / "vendor"
    envelope = (vendor / "event-userguide-envelope.json").read_text(encoding="utf-8")
    finding = (vendor / "event-sample-fsbp-finding.json").read_text(encoding="utf-8").strip()
    # `"findings": [{ <finding content> }]`: the braces around the placeholder are the finding's own.
    text, replaced = re.subn(r"\{\s*<finding content>\s*\}", lambda _: finding, envelope)
    assert replaced == 1
    result = invoke(json.loads(text))
    assert (result["status"], result["published"], result["dead_lettered"]) == ("accepted", 1, 0)
    assert result["delivery"] == "CWE-event-id"
    (event,) = published(aws)
    assert event["utctimestamp"] == "2021-09-28T16:10:00.093000+00:00"  # the finding's UpdatedAt
    assert event["severity"] == "WARNING"  # Severity.Label MEDIUM
    assert event["details"]["controlid"] == "CloudTrail.2"
    assert event["summary"].startswith('Security Hub MEDIUM Security Hub finding "CloudTrail.2 CloudTrail')
