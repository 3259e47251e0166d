"""Helpers of the reprocess unit tests: the world (stores, claims, clock) and the Okta fixture page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

from eventframework.pipeline import Services
from eventframework.reprocess import ClaimStore

REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[3]
OKTA = "okta-system-log"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    services: Services
    claims: ClaimStore
    clock: Clock
    queue_name: str

    def taken(self) -> list[dict[str, Any]]:
        """Every message on the queue (removed), read from moto's memory: ReceiveMessage is slow."""
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues[self.queue_name]
        bodies = [json.loads(message.body) for message in queue._messages]
        queue._messages.clear()
        return bodies


def okta_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        (REPO / "tests/fixtures/okta-system-log/page.json").read_text()
    )
    return records
