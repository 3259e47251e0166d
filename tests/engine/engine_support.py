"""Helpers shared by the engine tests: the runner type and a one-state machine builder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from eventframework.local.engine import Execution

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
RunMachine = Callable[..., Execution]


def single(state: Mapping[str, Any]) -> dict[str, Any]:
    """A one-state machine around `state` (adds End: true where needed)."""
    body = dict(state)
    if body["Type"] not in ("Succeed", "Fail", "Choice"):
        body.setdefault("End", True)
    return {"StartAt": "Only", "States": {"Only": body}}
