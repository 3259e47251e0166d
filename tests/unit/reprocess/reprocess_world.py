"""Helpers of the reprocess unit tests: the world (stores, claims, clock) and the Okta fixture page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.aws import FakeClock, take_queue_bodies

from eventframework.pipeline import Services
from eventframework.reprocess import ClaimStore

REPO = Path(__file__).resolve().parents[3]
OKTA = "okta-system-log"


@dataclass
class World:
    services: Services
    claims: ClaimStore
    clock: FakeClock
    queue_name: str

    def taken(self) -> list[dict[str, Any]]:
        """Every message on the queue (removed), read from moto's memory: ReceiveMessage is slow."""
        return [json.loads(body) for body in take_queue_bodies(self.queue_name)]


def okta_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        (REPO / "tests/fixtures/okta-system-log/page.json").read_text()
    )
    return records
