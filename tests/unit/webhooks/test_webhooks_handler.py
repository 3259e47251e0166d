"""The Lambda handler: API Gateway proxy events in (text and base64 bodies), proxy responses out."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from tests.support.lambda_context import lambda_context
from tests.unit.webhooks.webhook_world import GITHUB_SECRET, WebhookWorld, fixture_bytes, github_headers

from eventframework.handlers import webhook
from eventframework.local.serve.webhook_server import proxy_event


@pytest.fixture
def handler(world: WebhookWorld, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(webhook, "ingestor", lambda: world.ingestor)
    return lambda event: webhook.lambda_handler(
        event, lambda_context("WebhookFunction", memory_mb=128, timeout_seconds=29)
    )


def event_for(path: str, body: bytes, headers: dict[str, str], method: str = "POST") -> dict[str, Any]:
    return proxy_event(method, path, headers.items(), body, now=1_700_000_000.0, source_ip="127.0.0.1")


def test_handler_accepts_a_signed_delivery_and_answers_json(handler: Any, world: WebhookWorld) -> None:
    body = fixture_bytes("github-webhook", "push.json")
    response = handler(
        event_for("/webhooks/github-webhook", body, github_headers(GITHUB_SECRET, body, "h-1"))
    )
    assert response["statusCode"] == 202
    assert json.loads(response["body"])["published"] == 1
    assert len(world.published()) == 1


def test_handler_verifies_the_exact_bytes_of_a_base64_body(handler: Any, world: WebhookWorld) -> None:
    body = '{"sender": {"login": "Zoë"}, "zen": "ünïcödé"}'.encode()
    event = event_for("/webhooks/github-webhook", body, github_headers(GITHUB_SECRET, body, "h-2"))
    event.update(body=base64.b64encode(body).decode(), isBase64Encoded=True)
    assert handler(event)["statusCode"] == 202
    (published,) = world.published()
    assert published["details"]["username"] == "Zoë"


def test_handler_bad_base64_is_400_and_unknown_route_404(handler: Any) -> None:
    event = event_for("/webhooks/github-webhook", b"{}", {})
    event.update(body="not base64!", isBase64Encoded=True)
    response = handler(event)
    assert response["statusCode"] == 400 and "not base64" in json.loads(response["body"])["message"]
    assert handler(event_for("/other", b"{}", {}))["statusCode"] == 404


def test_proxy_event_carries_path_source_query_and_request_time() -> None:
    event = event_for("/dev/webhooks/zoom-webhook?x=1", b"\xff", {"X-A": "1"})
    assert event["pathParameters"] == {"source": "zoom-webhook"}
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff"
    assert event["requestContext"]["requestTimeEpoch"] == 1_700_000_000_000


def _emf_records(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]


def test_handler_counts_dead_letters_under_the_source_for_its_alarm(
    handler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The per-source dead-letters alarm (template.yaml) reads EventsDeadLettered by service and
    source: a pushed event that is dead-lettered must count there, as a pulled one does."""
    body = json.dumps({"action": "created", "sender": "octocat"}).encode()
    response = handler(
        event_for("/webhooks/github-webhook", body, github_headers(GITHUB_SECRET, body, "d-1"))
    )
    assert json.loads(response["body"])["dead_lettered"] == 1
    records = _emf_records(capsys.readouterr().out)
    (dead,) = [record for record in records if "EventsDeadLettered" in record]
    assert dead["EventsDeadLettered"] in (1, [1.0], 1.0)
    assert dead["source"] == "github-webhook" and dead["service"] == "eventframework"
    (dimensions,) = dead["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert set(dimensions) == {"service", "source"}
    others = [record for record in records if "WebhookPublished" in record]
    assert others and all("source" not in record for record in others), "the source dimension leaked"
