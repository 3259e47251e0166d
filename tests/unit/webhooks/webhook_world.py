"""Webhook test helpers: vendor signatures, fixture bodies, and a world bundling the ingestor with
the moto stores it writes to. Fixtures that build them live in conftest.py."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.aws import AwsResources, FakeClock

from eventframework.definitions import SourceDefinition, load_source
from eventframework.state import DeadLetterStore
from eventframework.state.deadletters import DeadLetter
from eventframework.webhooks import (
    WebhookIngestor,
    WebhookRequest,
    WebhookResponse,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GITHUB_SECRET = "gh-webhook-secret-ünïcode"
ZOOM_SECRET = "zoom-secret-token"


def fixture_bytes(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def github_headers(secret: str, body: bytes, delivery: str, event: str = "push") -> dict[str, str]:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={digest}",
    }


def zoom_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    message = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": str(timestamp), "x-zm-signature": f"v0={digest}"}


@dataclass
class WebhookWorld:
    aws: AwsResources
    clock: FakeClock
    secrets: dict[str, dict[str, str]]
    definitions: dict[str, SourceDefinition] = field(default_factory=dict)
    ingestor: WebhookIngestor | None = None

    def load(self, source: str) -> SourceDefinition:
        return self.definitions[source] if source in self.definitions else load_source(source)

    def send(
        self, source: str, body: bytes, headers: Mapping[str, str], method: str = "POST"
    ) -> WebhookResponse:
        assert self.ingestor is not None
        request = WebhookRequest.build(source, method, body, self.clock(), headers)
        return self.ingestor.handle(request)

    def github(
        self, body: bytes, delivery: str = "d-1", event: str = "push", secret: str = GITHUB_SECRET
    ) -> WebhookResponse:
        return self.send("github-webhook", body, github_headers(secret, body, delivery, event))

    def zoom(self, body: bytes, *, age: int = 0, secret: str = ZOOM_SECRET) -> WebhookResponse:
        return self.send("zoom-webhook", body, zoom_headers(secret, body, int(self.clock()) - age))

    def published(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.aws.queue_bodies()]

    def dead_letters(self, source: str) -> list[DeadLetter]:
        return list(self.deadletter_store.list(source))

    @property
    def deadletter_store(self) -> DeadLetterStore:
        return DeadLetterStore(self.aws.deadletter_table, self.aws.dynamodb, clock=self.clock)
