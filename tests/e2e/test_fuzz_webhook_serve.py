"""Fuzz over HTTP: hostile requests to every push route of `efw serve` (the loopback server, the
webhook Lambda handler, the embedded emulator). Bodies come from tests.support.hostile (nesting
past every limit, huge numbers, invalid UTF-8, duplicate keys, wrong types, oversized values) and
are sent correctly signed or not at all. No answer is a 5xx and the server keeps answering; an
unsigned request is refused without effect; every signed one is accounted for: its events
published or dead-lettered with a reason (202), dead-lettered as unparseable (400), a duplicate or
a handshake (200), or refused for size before anything is read (413), which the vendor retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventframework.local.serve.run import LocalWebhookStack, ServeOptions
from eventframework.state import DeadLetterStore
from eventframework.webhooks import delivery_key
from tests.support.hostile import NUMBERS, hostile_records, nested

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SECRETS = {"github-webhook": "fuzz-github-secret", "zoom-webhook": "fuzz-zoom-secret"}
# A malformed vendor verification (Zoom endpoint.url_validation) is refused; it carries no event.
HANDSHAKE_REFUSALS = ("$.payload.plainToken:",)
MAX_BODY = 1_048_576  # both push definitions' max_body_bytes
BASES = {
    source: [json.loads(path.read_bytes()) for path in sorted((FIXTURES / source).glob("*.json"))]
    for source in SECRETS
}


def _signed(source: str, body: bytes, delivery: str) -> dict[str, str]:
    secret = SECRETS[source].encode()
    if source == "github-webhook":
        digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
        return {
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": f"sha256={digest}",
        }
    stamp = str(int(time.time()))
    digest = hmac.new(secret, b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": stamp, "x-zm-signature": f"v0={digest}"}


@st.composite
def requests_(draw: st.DrawFn) -> dict[str, Any]:
    source = draw(st.sampled_from(sorted(SECRETS)))
    bases = [base for base in BASES[source] if isinstance(base, dict)]
    shape = draw(st.sampled_from(["record", "record", "record", "nested", "scalar", "oversized"]))
    if shape == "record":
        body = draw(hostile_records(draw(st.sampled_from(bases)), 2_000))
    elif shape == "nested":
        body = nested(draw(st.sampled_from([900, 1000, 1030, 5000])), draw(st.sampled_from([b"[", b'{"a":'])))
    elif shape == "scalar":
        body = draw(st.sampled_from([*NUMBERS, b"", b"null", b"[]", b"\xff\xfe", b'{"a":1,"a":2}']))
    else:
        body = b'{"x": "' + b"z" * MAX_BODY + b'"}'
    signed = draw(st.booleans()) or shape == "record"
    delivery = draw(st.uuids()).hex
    return {"source": source, "body": body, "signed": signed, "delivery": delivery}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWebhookStack]:
    directory = tmp_path_factory.mktemp("serve")
    with pytest.MonkeyPatch.context() as patch:
        for source, secret in SECRETS.items():
            name = "EFW_SECRET_" + source.upper().replace("-", "_")
            patch.setenv(name, json.dumps({"webhook_secret": secret}))
        options = ServeOptions(
            template=REPO / "template.yaml", state_dir=directory / ".efw", out=directory / "out.jsonl", port=0
        )
        with LocalWebhookStack(options) as running:
            yield running


def _letters(stack: LocalWebhookStack, source: str, key: str) -> list[Any]:
    assert stack.deployment is not None
    table = stack.deployment.environment["EFW_DEADLETTER_TABLE"]
    store = DeadLetterStore(table, stack.deployment.dynamodb)
    return [letter for letter in store.list(source) if letter.run_id == f"webhook:{key}"]


def _accounted(stack: LocalWebhookStack, request: dict[str, Any], status: int, reply: dict[str, Any]) -> None:
    vendor_id = request["delivery"] if request["source"] == "github-webhook" else None
    letters = _letters(stack, request["source"], delivery_key(vendor_id, request["body"]))
    assert all(letter.error_kind and letter.message for letter in letters)
    if status == 202:
        assert reply["received"] == reply["published"] + reply["dead_lettered"] + reply["duplicates"]
        assert reply["dead_lettered"] == 0 or letters
    elif status == 400 and reply["message"].startswith(HANDSHAKE_REFUSALS):
        assert b"url_validation" in request["body"], reply  # a bad handshake carries no event
    elif status == 400:
        assert any(letter.error_kind == "unparseable_record" for letter in letters), reply
    elif status == 413:
        assert len(request["body"]) > MAX_BODY
    else:
        assert status == 200 and (reply.get("status") == "duplicate" or "plainToken" in reply), reply


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(request=requests_())
def test_fuzz_webhook_serve_no_5xx_and_every_signed_event_accounted_for(
    stack: LocalWebhookStack, request: dict[str, Any]
) -> None:
    headers = {"Content-Type": "application/json"}
    if request["signed"]:
        headers |= _signed(request["source"], request["body"], request["delivery"])
    before = stack.delivered
    response = requests.post(
        f"{stack.url}/webhooks/{request['source']}", data=request["body"], headers=headers, timeout=60
    )
    assert response.status_code < 500, response.text
    reply = response.json()
    assert isinstance(reply.get("message", ""), str)
    published = stack.delivered - before
    if not request["signed"]:
        assert response.status_code in (401, 413) and published == 0
        return
    _accounted(stack, request, response.status_code, reply)
    assert published == (reply.get("published", 0) if response.status_code == 202 else 0)
