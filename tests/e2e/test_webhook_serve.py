"""End to end through `efw serve`'s server on loopback against the embedded emulator (moto server):
a signed GitHub delivery sent over HTTP reaches the local MozDef queue file as a valid MozDef event;
a redelivery, after a restart too, is acknowledged without a second event; refusals travel over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from eventframework.local.serve.run import LocalWebhookStack, ServeOptions
from eventframework.process.validation import check, mozdef_validator

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SECRET = "e2e-github-secret"
PUSH = (REPO / "tests" / "fixtures" / "github-webhook" / "push.json").read_bytes()


def signed(body: bytes, delivery: str) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={digest}",
    }


@pytest.fixture
def options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServeOptions:
    monkeypatch.setenv("EFW_SECRET_GITHUB_WEBHOOK", json.dumps({"webhook_secret": SECRET}))
    return ServeOptions(
        template=REPO / "template.yaml", state_dir=tmp_path / ".efw", out=tmp_path / "out.jsonl", port=0
    )


def events_in(path: Path) -> list[dict[str, Any]]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def post(url: str, source: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{url}/webhooks/{source}", data=body, headers=headers, timeout=30)


def test_webhook_serve_signed_github_delivery_reaches_the_queue_once(options: ServeOptions) -> None:
    with LocalWebhookStack(options) as stack:
        first = post(stack.url, "github-webhook", PUSH, signed(PUSH, "e2e-1"))
        again = post(stack.url, "github-webhook", PUSH, signed(PUSH, "e2e-1"))
    assert (first.status_code, first.json()["published"]) == (202, 1)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    (event,) = events_in(options.out)
    check(mozdef_validator(), event)
    assert event["details"]["deliveryid"] == "e2e-1"
    assert event["details"]["repository"] == "Codertocat/Hello-World"

    with LocalWebhookStack(options) as stack:  # a restart keeps the delivery records (state dir)
        after_restart = post(stack.url, "github-webhook", PUSH, signed(PUSH, "e2e-1"))
    assert after_restart.status_code == 200
    assert len(events_in(options.out)) == 1


def test_webhook_serve_refusals_over_http(options: ServeOptions) -> None:
    with LocalWebhookStack(options) as stack:
        forged = post(
            stack.url, "github-webhook", PUSH, {**signed(PUSH, "x"), "X-Hub-Signature-256": "sha256=00"}
        )
        unknown = post(stack.url, "nope", PUSH, {})
        not_json = post(stack.url, "github-webhook", b"\xff\xfe{", signed(b"\xff\xfe{", "bin"))
        no_route = requests.get(f"{stack.url}/elsewhere", timeout=30)
        get = requests.get(f"{stack.url}/webhooks/github-webhook", timeout=30)
    assert forged.status_code == 401 and "does not match" in forged.json()["message"]
    assert unknown.status_code == 404
    assert not_json.status_code == 400 and "not UTF-8" in not_json.json()["message"]
    assert no_route.status_code == 404
    assert get.status_code == 405
    assert events_in(options.out) == []
