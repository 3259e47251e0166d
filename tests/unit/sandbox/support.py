"""Shared constants and helpers of the sandbox tests (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from eventframework.local.sandbox import Sandbox

TOKEN = "sandbox-token"
OKTA = "okta-system-log"
ONEPASSWORD = "onepassword-signin-attempts"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EPOCH_START = START.timestamp()
OKTA_AUTH = {"Authorization": f"SSWS {TOKEN}"}
OP_AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMEOUT = 5.0


class VirtualClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def okta_first(sandbox: Sandbox, session: requests.Session, **params: str | int) -> requests.Response:
    query: dict[str, str | int] = {"since": START.isoformat(), "limit": 100, **params}
    return session.get(f"{sandbox.base_url}/api/v1/logs", params=query, headers=OKTA_AUTH, timeout=TIMEOUT)


def okta_next(session: requests.Session, response: requests.Response) -> requests.Response:
    return session.get(response.links["next"]["url"], headers=OKTA_AUTH, timeout=TIMEOUT)


def op_post(sandbox: Sandbox, session: requests.Session, body: object) -> requests.Response:
    return session.post(
        f"{sandbox.base_url}/api/v2/signinattempts", json=body, headers=OP_AUTH, timeout=TIMEOUT
    )


def op_first(sandbox: Sandbox, session: requests.Session, limit: int = 50) -> requests.Response:
    return op_post(sandbox, session, {"limit": limit, "start_time": START.isoformat()})
