"""Push-only definitions (loading, errors, template sync), Okta and Slack handshakes, multi-event bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.unit.webhooks.webhook_world import WebhookWorld

from eventframework.definitions import DefinitionError, load_source, load_source_file
from eventframework.definitions.model import HandshakeType
from eventframework.definitions.webhook_auth_keys import WebhookAuthType
from eventframework.local.commands.template import render_block, source_row

REPO = Path(__file__).resolve().parents[3]

OKTA_HOOK: dict[str, Any] = {
    "id": "okta-event-hook",
    "event": {"id": "payload.uuid", "time": "payload.published"},
    "webhook": {
        "auth": {"type": "token", "header": "Authorization", "prefix": "Bearer "},
        "records": "data.events",
        "handshake": "okta_verification",
    },
    "mapping": {
        "category": "okta",
        "summary": "Okta {payload.eventType} by {payload.actor.alternateId}",
        "severity": {"value": "INFO"},
    },
}
SLACK_HOOK: dict[str, Any] = {
    "id": "slack-events",
    "event": {"id": "payload.event_id", "time": "payload.event_time"},
    "webhook": {"auth": {"type": "slack_v0"}, "handshake": "slack_url_verification"},
    "mapping": {"category": "slack", "summary": "Slack {payload.event.type}", "severity": {"value": "INFO"}},
}


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "sources").mkdir()
    monkeypatch.setenv("EFW_SOURCES_DIR", str(tmp_path / "sources"))
    monkeypatch.setenv("EFW_SCHEMAS_DIR", str(tmp_path / "schemas"))
    return tmp_path


def write(root: Path, doc: dict[str, Any]) -> Path:
    (root / "schemas" / "sources" / f"{doc['id']}.schema.json").write_text('{"type": "object"}')
    path = root / "sources" / f"{doc['id']}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def error_of(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_source_file(path)
    return caught.value


def test_definition_push_only_source_loads_with_kind_defaults() -> None:
    github = load_source("github-webhook")
    assert github.pulled is False and github.webhook is not None
    assert github.webhook.auth.type is WebhookAuthType.HMAC_SHA256
    assert (github.webhook.auth.header, github.webhook.auth.prefix) == ("X-Hub-Signature-256", "sha256=")
    zoom = load_source("zoom-webhook")
    assert zoom.webhook is not None and zoom.webhook.handshake is HandshakeType.ZOOM_URL_VALIDATION
    assert zoom.webhook.auth.timestamp_header == "x-zm-request-timestamp"
    assert load_source("okta-system-log").pulled is True


def test_definition_without_pull_sections_or_webhook_says_to_add_either(sources: Path) -> None:
    doc = {key: value for key, value in OKTA_HOOK.items() if key != "webhook"}
    error = error_of(write(sources, doc))
    assert "add a webhook: section" in error.fix
    assert "schedule: required key 'schedule' is missing" in str(error)
    assert {problem.path for problem in error.problems} >= {"request", "auth", "pagination", "cursor"}


def test_definition_webhook_with_partial_pull_sections_names_the_missing_ones(sources: Path) -> None:
    error = error_of(write(sources, {**OKTA_HOOK, "schedule": "rate(5 minutes)"}))
    assert [problem.path for problem in error.problems] == [
        "auth",
        "cursor",
        "pagination",
        "records",
        "request",
    ]
    assert "remove every pull section for a push-only source" in error.fix


def test_definition_timestamp_keys_on_an_untimestamped_kind_are_reported(sources: Path) -> None:
    doc = json.loads(json.dumps(OKTA_HOOK))
    doc["webhook"]["auth"]["tolerance_seconds"] = 60
    error = error_of(write(sources, doc))
    assert error.path == "webhook.auth.tolerance_seconds"
    assert "'tolerance_seconds' is not used by webhook.auth.type 'token'" in str(error)
    assert error.fix == "remove it, or set webhook.auth.type to one of slack_v0, zoom_v0, which use it"


def test_definition_unknown_webhook_auth_kind_lists_the_kinds(sources: Path) -> None:
    doc = json.loads(json.dumps(OKTA_HOOK))
    doc["webhook"]["auth"]["type"] = "hmac"
    error = error_of(write(sources, doc))
    assert error.path == "webhook.auth.type" and "token, hmac_sha256, slack_v0, zoom_v0" in str(error)


def test_template_sync_gives_push_only_sources_a_secret_and_no_schedule() -> None:
    github = load_source("github-webhook")
    assert render_block("pulled-stems", [github]) == ["- []"]
    assert render_block("secret-stems", [github]) == ["- [GithubWebhook]"]
    assert source_row(github) == {
        "Id": "github-webhook",
        "Secret": '{"webhook_secret": "", "webhook_secret_previous": ""}',
    }


def test_okta_verification_get_echoes_the_challenge_after_checking_the_token(
    world: WebhookWorld, sources: Path
) -> None:
    world.definitions["okta-event-hook"] = load_source_file(write(sources, OKTA_HOOK))
    world.secrets["okta-event-hook"] = {"webhook_secret": "okta-token"}
    challenge = {"X-Okta-Verification-Challenge": "ZgRNFdxV2595E9CY"}
    ok = world.send("okta-event-hook", b"", {**challenge, "Authorization": "Bearer okta-token"}, method="GET")
    assert ok.status == 200 and ok.body == {"verification": "ZgRNFdxV2595E9CY"}
    assert world.send("okta-event-hook", b"", challenge, method="GET").status == 401
    no_challenge = world.send("okta-event-hook", b"", {"Authorization": "Bearer okta-token"}, method="GET")
    assert no_challenge.status == 400


def test_okta_event_hook_body_with_several_events_publishes_each(world: WebhookWorld, sources: Path) -> None:
    world.definitions["okta-event-hook"] = load_source_file(write(sources, OKTA_HOOK))
    world.secrets["okta-event-hook"] = {"webhook_secret": "okta-token"}
    events = [
        {"uuid": f"u-{n}", "published": "2024-06-14T16:22:14.183Z", "eventType": "user.session.start"}
        for n in range(3)
    ]
    body = json.dumps({"eventType": "com.okta.event_hook", "data": {"events": [*events, events[0]]}}).encode()
    response = world.send("okta-event-hook", body, {"Authorization": "Bearer okta-token"})
    assert response.status == 202
    assert (response.body["received"], response.body["published"], response.body["duplicates"]) == (4, 3, 1)
    missing = world.send("okta-event-hook", b'{"data": {}}', {"Authorization": "Bearer okta-token"})
    assert missing.status == 202 and missing.body["dead_lettered"] == 1


def test_slack_url_verification_echoes_the_challenge(world: WebhookWorld, sources: Path) -> None:
    world.definitions["slack-events"] = load_source_file(write(sources, SLACK_HOOK))
    world.secrets["slack-events"] = {"webhook_secret": "slack-signing"}
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "t", "challenge": challenge, "type": "url_verification"}).encode()
    stamp = str(int(world.clock()))
    signature = hmac.new(b"slack-signing", f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={signature}"}
    response = world.send("slack-events", body, headers)
    assert response.status == 200
    assert response.body == {"challenge": challenge}
