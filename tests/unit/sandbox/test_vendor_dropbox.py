"""Dropbox's team activity log in the sandbox, over real HTTP: access tokens from a refresh token,
get_events with a Dropbox timestamp and a limit of 1-1000, get_events/continue with the cursor
alone, the cursor polling for later events, and Dropbox's 400/409/429 shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from eventframework.local.sandbox import Fault, Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

DROPBOX = "dropbox-team-events"
EVENTS = 12
GET_EVENTS = "/2/team_log/get_events"
CONTINUE = "/2/team_log/get_events/continue"
SINCE = START.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={DROPBOX: EVENTS}, seed=4, token="app-secret", start_time=START, clock=clock
    ) as running:
        yield running


def refresh(sandbox: Sandbox, *, basic: bool = False, **changes: str) -> requests.Response:
    credentials = sandbox.credentials(DROPBOX)
    form = {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]}
    client = (credentials["client_id"], credentials["client_secret"])
    if not basic:
        form |= {"client_id": client[0], "client_secret": client[1]}
    form |= changes
    return requests.post(credentials["token_url"], data=form, auth=client if basic else None, timeout=TIMEOUT)


def post(sandbox: Sandbox, path: str, body: Any, token: str | None = None) -> requests.Response:
    token = token or refresh(sandbox).json()["access_token"]
    return requests.post(
        f"{sandbox.base_url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )


def test_dropbox_refresh_token_grant_in_the_form_or_with_basic_auth(sandbox: Sandbox) -> None:
    for reply in (refresh(sandbox), refresh(sandbox, basic=True)):
        assert reply.status_code == 200
        assert reply.json()["token_type"] == "bearer" and reply.json()["expires_in"] == 14400
        assert "refresh_token" not in reply.json(), "Dropbox does not rotate refresh tokens"
    assert refresh(sandbox, refresh_token="revoked").json()["error"] == "invalid_grant"
    assert refresh(sandbox, client_secret="wrong").json()["error"] == "invalid_client"
    assert refresh(sandbox, grant_type="client_credentials").json()["error"] == "unsupported_grant_type"
    stale = post(sandbox, GET_EVENTS, {"limit": 5}, token="sl.expired")
    assert stale.status_code == 401 and stale.json()["error"][".tag"] == "invalid_access_token"


def test_dropbox_get_events_takes_dropbox_timestamps_and_a_limit_of_1_to_1000(sandbox: Sandbox) -> None:
    for body in (
        {"limit": 1001, "time": {"start_time": SINCE}},
        {"limit": 0},
        {"limit": 5, "time": {"start_time": START.isoformat()}},
        {"limit": 5, "time": {"start_time": "2026-03-01T12:00:00.000Z"}},
        {"limit": 5, "cursor": "x"},
    ):
        reply = post(sandbox, GET_EVENTS, body)
        assert reply.status_code == 400, body
        assert reply.text.startswith('Error in call to API function "team_log/get_events"')
    backwards = post(sandbox, GET_EVENTS, {"time": {"start_time": SINCE, "end_time": SINCE}})
    assert backwards.status_code == 409 and backwards.json()["error"][".tag"] == "invalid_time_range"
    both = post(sandbox, GET_EVENTS, {"category": {".tag": "logins"}, "event_type": {".tag": "logout"}})
    assert both.status_code == 409 and both.json()["error"][".tag"] == "invalid_filters"


def test_dropbox_continue_takes_the_cursor_alone_and_polls_for_new_events(sandbox: Sandbox) -> None:
    first = post(sandbox, GET_EVENTS, {"limit": 5, "time": {"start_time": SINCE}}).json()
    assert len(first["events"]) == 5 and first["has_more"] is True
    assert all(set(e) >= {"timestamp", "event_type", "details"} for e in first["events"])
    assert post(sandbox, CONTINUE, {"cursor": first["cursor"], "limit": 5}).status_code == 400
    bad = post(sandbox, CONTINUE, {"cursor": "ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu"})
    assert bad.status_code == 409 and bad.json()["error"][".tag"] == "bad_cursor"
    pages, cursor = [first], first["cursor"]
    while pages[-1]["has_more"]:
        pages.append(post(sandbox, CONTINUE, {"cursor": cursor}).json())
        cursor = pages[-1]["cursor"]
    assert sum(len(page["events"]) for page in pages) == EVENTS
    quiet = post(sandbox, CONTINUE, {"cursor": cursor}).json()
    assert (quiet["events"], quiet["has_more"]) == ([], False) and quiet["cursor"]
    sandbox.ingest_late(DROPBOX, 2, age_seconds=600)
    polled = post(sandbox, CONTINUE, {"cursor": quiet["cursor"]}).json()
    assert len(polled["events"]) == 2 and polled["has_more"] is False


def test_dropbox_rate_limit_names_the_wait_in_the_header_and_the_body(sandbox: Sandbox) -> None:
    token = refresh(sandbox).json()["access_token"]
    sandbox.inject(DROPBOX, Fault.http_status(429, times=1, retry_after=7))
    limited = post(sandbox, GET_EVENTS, {"limit": 5}, token=token)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["error"] == {"reason": {".tag": "too_many_requests"}, "retry_after": 7}
    assert post(sandbox, GET_EVENTS, {"limit": 5}, token=token).status_code == 200
