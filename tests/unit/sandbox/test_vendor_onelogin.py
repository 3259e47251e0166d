"""OneLogin's events API in the sandbox, over real HTTP: `since` in OneLogin's time format, pages
of at most 50 events, continued by after_cursor until the last page, which has none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

ONELOGIN = "onelogin-events"
EVENTS = 60


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    counts = {ONELOGIN: EVENTS}
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(events=counts, seed=3, token="vendor-token", start_time=START, clock=clock) as running:
        yield running


def onelogin_token(sandbox: Sandbox) -> str:
    credentials = sandbox.credentials(ONELOGIN)
    form = {"grant_type": "client_credentials"} | {k: credentials[k] for k in ("client_id", "client_secret")}
    reply = requests.post(f"{sandbox.base_url}/auth/oauth2/v2/token", data=form, timeout=TIMEOUT)
    assert reply.status_code == 200
    token: str = reply.json()["access_token"]
    return token


def onelogin_get(sandbox: Sandbox, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{sandbox.base_url}/api/1/events",
        params=params,
        headers={"Authorization": f"bearer:{token}"},
        timeout=TIMEOUT,
    )


def test_onelogin_since_is_onelogin_time_and_pages_hold_at_most_50(sandbox: Sandbox) -> None:
    token = onelogin_token(sandbox)
    bad = onelogin_get(sandbox, token, since="2024-08-14 09:00:00", sort="+id")
    assert bad.status_code == 400 and bad.json()["status"]["error"] is True
    since = START.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    first = onelogin_get(sandbox, token, since=since, sort="+id", limit="500")
    body = first.json()
    assert first.status_code == 200 and len(body["data"]) == 50
    assert [e["id"] for e in body["data"]] == sorted(e["id"] for e in body["data"])
    rest = onelogin_get(
        sandbox, token, since=since, sort="+id", after_cursor=body["pagination"]["after_cursor"]
    )
    assert len(rest.json()["data"]) == EVENTS - 50
    assert rest.json()["pagination"]["after_cursor"] is None
