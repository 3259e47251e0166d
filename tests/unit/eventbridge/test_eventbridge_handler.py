"""The EventBridge handler on moto: a GuardDuty finding is published once, a redelivery is not
republished, an updated finding is, an invalid one is dead-lettered with the reason, and what cannot
be routed or claimed now fails the invocation so Lambda retries it (then dead-letters it) intact."""

from __future__ import annotations

import json
from typing import Any

import pytest
from guardduty_world import FIXTURES, finding
from tests.support.aws import AwsResources

from eventframework.definitions import load_source
from eventframework.eventbridge import EventBridgeRoutingError, delivery_id_of
from eventframework.state import DeadLetterStore
from eventframework.webhooks import DeliveryStore


def golden(index: int) -> dict[str, Any]:
    expected: list[dict[str, Any]] = json.loads((FIXTURES / "expected-mozdef.json").read_text())
    return expected[index]


def dead_letters(aws: AwsResources) -> list[Any]:
    return list(DeadLetterStore(aws.deadletter_table, aws.dynamodb).list("aws-guardduty"))


def test_eventbridge_handler_publishes_a_finding_once_as_mozdef(invoke: Any, aws: AwsResources) -> None:
    result = invoke(finding("ssh-brute-force"))
    assert result["status"] == "accepted"
    assert (result["published"], result["dead_lettered"]) == (1, 0)
    assert [json.loads(body) for body in aws.queue_bodies()] == [golden(0)]
    assert result["delivery"] == "a2c8f1e0d9b7465c3e1f0a9b8c7d6e5f:2024-08-14T09:11:58.204Z"


def test_eventbridge_handler_redelivery_is_acknowledged_not_republished(
    invoke: Any, aws: AwsResources
) -> None:
    event = finding("credential-exfiltration")
    invoke(event)
    aws.queue_bodies()
    redelivered = {**event, "id": "11111111-2222-4333-8444-555555555555"}  # a new envelope, same finding
    result = invoke(redelivered)
    assert result["status"] == "duplicate"
    assert aws.queue_bodies() == []


def test_eventbridge_handler_updated_finding_is_published_again(invoke: Any, aws: AwsResources) -> None:
    event = finding("ssh-brute-force")
    invoke(event)
    updated = finding("ssh-brute-force")
    updated["detail"]["updatedAt"] = "2024-08-14T09:41:12.000Z"
    updated["detail"]["service"]["count"] = 31
    result = invoke(updated)
    (first, second) = [json.loads(body) for body in aws.queue_bodies()]
    assert result["status"] == "accepted"
    assert (first["details"]["count"], second["details"]["count"]) == (17, 31)
    assert second["utctimestamp"] == "2024-08-14T09:41:12.000000+00:00"


def test_eventbridge_handler_dead_letters_an_invalid_finding_with_the_reason(
    invoke: Any, aws: AwsResources
) -> None:
    event = finding("port-probe")
    event["detail"]["severity"] = "LOW"
    result = invoke(event)
    assert (result["status"], result["published"], result["dead_lettered"]) == ("accepted", 0, 1)
    assert aws.queue_bodies() == []
    (letter,) = dead_letters(aws)
    assert letter.error_kind == "schema_invalid"
    assert "detail.severity" in letter.message and "number" in letter.message
    assert letter.event_key == "c0e8a6f4d2b0497f8e6c4a2f0d8b6e4c"


def test_eventbridge_handler_finding_without_its_id_still_gets_one_delivery(
    invoke: Any, aws: AwsResources
) -> None:
    event = finding("port-probe")
    del event["detail"]["id"]
    first, second = invoke(event), invoke(event)
    assert first["delivery"].startswith("sha256:") and first["dead_lettered"] == 1
    assert second["status"] == "duplicate"
    assert len(dead_letters(aws)) == 1


def test_eventbridge_handler_unknown_pattern_fails_the_invocation(invoke: Any, aws: AwsResources) -> None:
    event = {**finding("port-probe"), "detail-type": "GuardDuty Malware Protection Object Scan Result"}
    with pytest.raises(EventBridgeRoutingError) as caught:
        invoke(event)
    assert caught.value.detail_type == "GuardDuty Malware Protection Object Scan Result"
    assert "add one under sources/" in str(caught.value)
    assert aws.queue_bodies() == [] and dead_letters(aws) == []


def test_eventbridge_handler_delivery_held_elsewhere_fails_so_lambda_retries(
    invoke: Any, aws: AwsResources
) -> None:
    event = finding("dns-command-and-control")
    key = delivery_id_of(load_source("aws-guardduty"), event)
    DeliveryStore(aws.state_table, aws.dynamodb).claim("aws-guardduty", key)
    with pytest.raises(EventBridgeRoutingError, match="being processed"):
        invoke(event)
    assert aws.queue_bodies() == []


def test_eventbridge_handler_queue_refusal_dead_letters_for_reprocessing(
    invoke: Any, aws: AwsResources
) -> None:
    event = finding("ssh-brute-force")
    aws.sqs.delete_queue(QueueUrl=aws.queue_url)
    result = invoke(event)
    assert (result["published"], result["dead_lettered"]) == (0, 1)
    (letter,) = dead_letters(aws)
    assert (letter.error_kind, letter.event_key) == ("publish_failed", "a2c8f1e0d9b7465c3e1f0a9b8c7d6e5f")
