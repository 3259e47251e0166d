"""Ingestion end to end on moto: responses, publishing, idempotency and dead letters."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tests.unit.webhooks.webhook_world import (
    GITHUB_SECRET,
    ZOOM_SECRET,
    WebhookWorld,
    fixture_bytes,
    github_headers,
)

from eventframework.definitions import load_source
from eventframework.process.validation import check, mozdef_validator


def body_of(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def test_ingest_github_push_publishes_one_valid_mozdef_event(world: WebhookWorld) -> None:
    response = world.github(
        fixture_bytes("github-webhook", "push.json"), delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958"
    )
    assert response.status == 202
    assert response.body["published"] == 1 and response.body["dead_lettered"] == 0
    (event,) = world.published()
    check(mozdef_validator(), event)
    assert event["category"] == "github"
    assert event["summary"].startswith("GitHub push - by Codertocat in - Codertocat/Hello-World")
    assert event["details"]["repository"] == "Codertocat/Hello-World"
    assert event["details"]["deliveryid"] == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert event["utctimestamp"].startswith("2023-11-14T22:13:20")  # the request time of the fake clock


def test_ingest_github_organisation_event_maps_severity_from_the_event_type(world: WebhookWorld) -> None:
    body = fixture_bytes("github-webhook", "organization-member-added.json")
    assert world.github(body, event="organization").status == 202
    (event,) = world.published()
    assert event["severity"] == "NOTICE"
    assert event["details"]["organization"] == "Octocoders"
    assert event["details"]["action"] == "member_added"


def test_ingest_duplicate_delivery_is_acknowledged_without_republishing(world: WebhookWorld) -> None:
    body = fixture_bytes("github-webhook", "push.json")
    assert world.github(body, delivery="d-42").status == 202
    retry = world.github(body, delivery="d-42")
    assert retry.status == 200 and retry.body["status"] == "duplicate"
    assert len(world.published()) == 1
    assert world.github(body, delivery="d-43").status == 202  # a new delivery of the same body is new


def test_ingest_delivery_being_processed_answers_409_until_its_hold_expires(world: WebhookWorld) -> None:
    ingestor = world.ingestor
    assert ingestor is not None
    ingestor.services.deliveries.claim("github-webhook", "d-7")
    body = fixture_bytes("github-webhook", "push.json")
    assert world.github(body, delivery="d-7").status == 409
    world.clock.now += ingestor.services.deliveries.hold_seconds + 1
    assert world.github(body, delivery="d-7").status == 202
    assert len(world.published()) == 1


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-GitHub-Delivery": "d"}, "missing X-Hub-Signature-256"),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, "does not match"),
    ],
)
def test_ingest_refuses_unsigned_or_badly_signed_requests(
    world: WebhookWorld, headers: dict[str, str], reason: str
) -> None:
    response = world.send("github-webhook", fixture_bytes("github-webhook", "push.json"), headers)
    assert response.status == 401 and reason in response.body["message"]
    assert world.published() == [] and world.dead_letters("github-webhook") == []


def test_ingest_refuses_a_tampered_body(world: WebhookWorld) -> None:
    body = fixture_bytes("github-webhook", "push.json")
    headers = github_headers(GITHUB_SECRET, body, "d-1")
    assert world.send("github-webhook", body.replace(b"main", b"prod"), headers).status == 401
    assert world.published() == []


def test_ingest_refuses_the_wrong_secret(world: WebhookWorld) -> None:
    assert world.github(fixture_bytes("github-webhook", "push.json"), secret="not the secret").status == 401


def test_ingest_accepts_old_and_new_secret_during_rotation(world: WebhookWorld) -> None:
    world.secrets["github-webhook"] = {
        "webhook_secret": "new-secret",
        "webhook_secret_previous": GITHUB_SECRET,
    }
    body = fixture_bytes("github-webhook", "push.json")
    assert world.github(body, delivery="old", secret=GITHUB_SECRET).status == 202
    assert world.github(body, delivery="new", secret="new-secret").status == 202
    assert world.github(body, delivery="other", secret="neither").status == 401
    assert len(world.published()) == 2


def test_ingest_missing_secret_is_a_503_not_a_500(world: WebhookWorld) -> None:
    world.secrets["github-webhook"] = {"webhook_secret": ""}
    response = world.github(fixture_bytes("github-webhook", "push.json"))
    assert response.status == 503 and "no 'webhook_secret' value" in response.body["message"]


def test_ingest_unknown_source_and_pull_only_source_are_404(world: WebhookWorld) -> None:
    assert world.send("no-such-source", b"{}", {}).status == 404
    response = world.send("okta-system-log", b"{}", {})
    assert response.status == 404 and "does not accept webhooks" in response.body["message"]


def test_ingest_oversized_body_is_413_before_authentication(world: WebhookWorld) -> None:
    definition = load_source("github-webhook")
    assert definition.webhook is not None
    small = replace(definition.webhook, max_body_bytes=2048)
    world.definitions["github-webhook"] = replace(definition, webhook=small)
    response = world.send("github-webhook", b"{" + b" " * 4096 + b"}", {})
    assert response.status == 413 and "over this source's 2048-byte limit" in response.body["message"]


def test_ingest_authentic_non_json_body_is_400_naming_the_spot_and_dead_lettered(world: WebhookWorld) -> None:
    response = world.github(b'{"sender": {"login": "x"},}', delivery="bad-json")
    assert response.status == 400
    assert "not JSON" in response.body["message"] and "line 1, column 27" in response.body["message"]
    (letter,) = world.dead_letters("github-webhook")
    assert letter.event_key == "bad-json" and letter.error_kind == "unparseable_record"
    assert letter.raw == '{"sender": {"login": "x"},}'


def test_ingest_authentic_non_utf8_body_is_400(world: WebhookWorld) -> None:
    response = world.github(b'{"a": "\xff"}')
    assert response.status == 400 and "not UTF-8" in response.body["message"]


def test_ingest_unicode_payload_arrives_intact(world: WebhookWorld) -> None:
    document = json.loads(fixture_bytes("github-webhook", "push.json"))
    document["sender"]["login"] = "Zoë-Łukasz-日本-🚀"
    document["repository"]["full_name"] = "Zoë/répo"
    assert world.github(body_of(document)).status == 202
    (event,) = world.published()
    assert event["details"]["username"] == "Zoë-Łukasz-日本-🚀"
    assert "Zoë/répo" in event["summary"]


def test_ingest_authentic_schema_invalid_event_is_dead_lettered_and_accepted(world: WebhookWorld) -> None:
    response = world.github(body_of({"action": "created", "sender": "octocat"}), delivery="no-sender")
    assert response.status == 202 and response.body["dead_lettered"] == 1
    assert world.published() == []
    (letter,) = world.dead_letters("github-webhook")
    assert letter.error_kind == "schema_invalid" and "$.payload" in letter.message
    assert json.loads(letter.raw or "")["payload"] == {"action": "created", "sender": "octocat"}
    assert letter.run_id == "webhook:no-sender"


def test_ingest_json_that_is_not_an_event_is_dead_lettered(world: WebhookWorld) -> None:
    response = world.github(b'"just a string"', delivery="scalar")
    assert response.status == 202 and response.body["dead_lettered"] == 1
    (letter,) = world.dead_letters("github-webhook")
    assert letter.error_kind == "unparseable_record" and "no event object" in letter.message


def test_ingest_json_nested_past_the_parser_is_refused_and_kept(world: WebhookWorld) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000  # authentic, valid JSON, deeper than any parser recurses
    response = world.github(deep, delivery="deep")
    assert response.status == 400 and "nested too deeply" in response.body["message"]
    (letter,) = world.dead_letters("github-webhook")
    assert letter.error_kind == "unparseable_record" and "nested too deeply" in letter.message


def test_ingest_publish_failure_is_dead_lettered_not_lost(world: WebhookWorld) -> None:
    assert world.ingestor is not None
    world.aws.sqs.delete_queue(QueueUrl=world.aws.queue_url)
    response = world.github(fixture_bytes("github-webhook", "push.json"), delivery="queue-gone")
    assert response.status == 202 and response.body["published"] == 0
    (letter,) = world.dead_letters("github-webhook")
    assert letter.error_kind == "publish_failed" and letter.event_key == "queue-gone"


def test_ingest_failure_mid_delivery_releases_the_claim_for_the_retry(
    world: WebhookWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.ingestor is not None
    publisher = world.ingestor.services.publisher

    def crash(events: object, bodies: object = None) -> None:
        raise RuntimeError("lambda died")

    monkeypatch.setattr(publisher, "publish", crash)
    body = fixture_bytes("github-webhook", "push.json")
    with pytest.raises(RuntimeError):
        world.github(body, delivery="retry-me")
    monkeypatch.undo()
    assert world.github(body, delivery="retry-me").status == 202
    assert len(world.published()) == 1


def test_ingest_zoom_event_uses_event_ts_as_its_time(world: WebhookWorld) -> None:
    response = world.zoom(fixture_bytes("zoom-webhook", "user-signed-in.json"))
    assert response.status == 202
    (event,) = world.published()
    check(mozdef_validator(), event)
    assert event["utctimestamp"].startswith("2021-07-14T02:44:51.572")
    assert event["details"]["username"] == "jchill@example.com"
    assert event["category"] == "zoom"


def test_ingest_zoom_retry_with_the_same_body_is_a_duplicate(world: WebhookWorld) -> None:
    body = fixture_bytes("zoom-webhook", "user-created.json")
    assert world.zoom(body).status == 202
    world.clock.now += 30
    assert world.zoom(body).status == 200
    (event,) = world.published()
    assert event["severity"] == "NOTICE" and event["details"]["operator"] == "admin@example.com"


def test_ingest_zoom_replay_outside_the_window_is_401(world: WebhookWorld) -> None:
    response = world.zoom(fixture_bytes("zoom-webhook", "user-signed-in.json"), age=301)
    assert response.status == 401 and "outside the 300s window" in response.body["message"]


def test_ingest_zoom_url_validation_answers_the_challenge_without_publishing(world: WebhookWorld) -> None:
    import hashlib
    import hmac

    response = world.zoom(fixture_bytes("zoom-webhook", "url-validation.json"))
    token = "qgg8vlvZRS6UYooatFL8Aw"
    expected = hmac.new(ZOOM_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
    assert response.status == 200
    assert response.body == {"plainToken": token, "encryptedToken": expected}
    assert world.published() == []


def test_ingest_zoom_url_validation_must_be_signed(world: WebhookWorld) -> None:
    body = fixture_bytes("zoom-webhook", "url-validation.json")
    assert world.send("zoom-webhook", body, {}).status == 401


def test_ingest_get_on_a_source_without_a_get_handshake_is_405(world: WebhookWorld) -> None:
    assert world.send("github-webhook", b"", {}, method="GET").status == 405


def test_ingest_methods_other_than_get_and_post_are_405(world: WebhookWorld) -> None:
    body = fixture_bytes("github-webhook", "push.json")
    response = world.send("github-webhook", body, github_headers(GITHUB_SECRET, body, "put"), method="PUT")
    assert response.status == 405 and world.published() == []
