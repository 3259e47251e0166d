"""aws-console-signin through the real EventBridge handler on moto: each sign-in event is published as
its golden MozDef event (tests/fixtures/aws-console-signin), severity follows outcome, identity and
MFA, a redelivery (same CloudTrail eventID and eventTime, new envelope id) is not republished, and
the CloudWatch Events user guide's own example publishes with its own event time."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from tests.support.aws import AwsResources

from eventframework.definitions import load_source
from eventframework.process import process_records
from eventframework.state import DeadLetterStore

SOURCE = "aws-console-signin"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / SOURCE
PAGE: list[dict[str, Any]] = json.loads((FIXTURES / "page.json").read_text(encoding="utf-8"))
GOLDEN: list[dict[str, Any]] = json.loads((FIXTURES / "expected-mozdef.json").read_text(encoding="utf-8"))


def published(aws: AwsResources) -> list[dict[str, Any]]:
    return [json.loads(body) for body in aws.queue_bodies()]


def signin(position: int) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(PAGE[position])
    return event


def test_console_signin_mapping_matches_golden_file() -> None:
    result = process_records(load_source(SOURCE), copy.deepcopy(PAGE), set())
    assert result.dead == []
    assert result.events == GOLDEN


def test_console_signin_severity_follows_outcome_identity_and_mfa() -> None:
    events = process_records(load_source(SOURCE), copy.deepcopy(PAGE), set()).events
    by_kind = {
        (e["details"]["usertype"], e["details"]["eventtype"], e["details"].get("result")): e["severity"]
        for e in events
    }
    assert by_kind == {
        ("IAMUser", "ConsoleLogin", "Success"): "NOTICE",  # no MFA
        ("IAMUser", "ConsoleLogin", "Failure"): "WARNING",
        ("Root", "ConsoleLogin", "Success"): "CRITICAL",
        ("AssumedRole", "ConsoleLogin", "Success"): "INFO",  # federated: MFA is the IdP's
        ("IAMUser", "CheckMfa", None): "INFO",
    }
    failure = events[1]
    assert failure["details"]["success"] is False and failure["details"]["username"] == "svc-deploy"
    assert failure["summary"].startswith("AWS console ConsoleLogin Failure for IAMUser svc-deploy")
    assert events[2]["details"]["userarn"] == "arn:aws:iam::111122223333:root"
    assert "sourceipaddress" not in events[4]["details"]  # CheckMfa carries no address here


@pytest.mark.parametrize(
    ("used", "severity", "flag"),
    [("Yes", "INFO", True), ("YES", "INFO", True), ("No", "NOTICE", False), (None, "INFO", None)],
)
def test_console_signin_mfa_used_spellings(used: str | None, severity: str, flag: bool | None) -> None:
    event = signin(0)
    if used is None:
        del event["detail"]["additionalEventData"]
    else:
        event["detail"]["additionalEventData"]["MFAUsed"] = used
    (mapped,) = process_records(load_source(SOURCE), [event], set()).events
    assert mapped["severity"] == severity
    assert mapped["details"].get("mfaused") == flag


def test_console_signin_each_event_is_published_once_as_its_golden_event(
    invoke: Any, aws: AwsResources
) -> None:
    for position in range(len(PAGE)):
        result = invoke(signin(position))
        assert (result["source"], result["status"], result["published"]) == (SOURCE, "accepted", 1)
        assert published(aws) == [GOLDEN[position]]
    assert list(DeadLetterStore(aws.deadletter_table, aws.dynamodb).list(SOURCE)) == []


def test_console_signin_redelivery_is_acknowledged_not_republished(invoke: Any, aws: AwsResources) -> None:
    event = signin(2)
    first = invoke(event)
    assert first["delivery"] == "1d4e5f6a-7b8c-4d9e-8f0a-b1c2d3e4f5a6:2024-08-14T09:14:05Z"
    assert len(published(aws)) == 1
    again = {**signin(2), "id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}  # a new envelope, same record
    assert invoke(again)["status"] == "duplicate"
    assert published(aws) == []


def test_console_signin_user_guide_example_publishes_with_its_own_time(
    invoke: Any, aws: AwsResources
) -> None:
    text = (FIXTURES / "vendor" / "event-cwe-userguide-console-signin.json").read_text(encoding="utf-8")
    result = invoke(json.loads(text))
    assert (result["status"], result["published"], result["dead_lettered"]) == ("accepted", 1, 0)
    (event,) = published(aws)
    assert event["utctimestamp"] == "2016-01-05T18:21:27.000000+00:00"
    assert event["severity"] == "CRITICAL"  # root, no MFA
    assert event["details"]["sourceipaddress"] == "0.0.0.0"
