"""Box's enterprise event history in the sandbox, over real HTTP: Client Credentials Grant tokens only
for the enterprise subject, created_after only as RFC 3339, chunks of at most 500 events continued by
next_stream_position, which Box returns even after the last event (an empty chunk ends a listing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

BOX = "box-admin-events"
EVENTS = 520


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3 * 3600)
    with Sandbox(
        events={BOX: EVENTS}, seed=3, token="vendor-token", start_time=START, clock=clock
    ) as running:
        yield running


def token_reply(sandbox: Sandbox, **changes: str) -> requests.Response:
    credentials = sandbox.credentials(BOX)
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "box_subject_type": "enterprise",
        "box_subject_id": credentials["enterprise_id"],
    } | changes
    return requests.post(credentials["token_url"], data=form, timeout=TIMEOUT)


def test_box_token_needs_the_enterprise_subject_and_the_client_in_the_body(sandbox: Sandbox) -> None:
    assert token_reply(sandbox).status_code == 200
    assert token_reply(sandbox, box_subject_type="user").json()["error"] == "invalid_grant"
    assert token_reply(sandbox, box_subject_id="999").json()["error"] == "invalid_grant"
    assert token_reply(sandbox, client_secret="nope").status_code == 400
    assert token_reply(sandbox, grant_type="password").json()["error"] == "unsupported_grant_type"


def box_get(sandbox: Sandbox, token: str, **params: str) -> requests.Response:
    query = {"stream_type": "admin_logs"} | params
    return requests.get(
        f"{sandbox.base_url}/2.0/events",
        params=query,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )


def test_box_admin_logs_page_by_stream_position_until_an_empty_chunk(sandbox: Sandbox) -> None:
    token = token_reply(sandbox).json()["access_token"]
    since = START.strftime("%Y-%m-%dT%H:%M:%S-00:00")
    bad = box_get(sandbox, token, created_after=START.strftime("%Y-%m-%d %H:%M:%S"))
    assert bad.status_code == 400 and bad.json()["type"] == "error"
    first = box_get(sandbox, token, created_after=since, limit="1000").json()
    assert first["chunk_size"] == 500 == len(first["entries"])
    times = [entry["created_at"] for entry in first["entries"]]
    assert times == sorted(times)
    rest = box_get(
        sandbox, token, created_after=since, limit="500", stream_position=first["next_stream_position"]
    )
    assert rest.json()["chunk_size"] == EVENTS - 500
    end = box_get(
        sandbox, token, created_after=since, stream_position=rest.json()["next_stream_position"]
    ).json()
    assert end["chunk_size"] == 0 and end["entries"] == [] and end["next_stream_position"]
    assert box_get(sandbox, token, created_after=since, stream_position="12").status_code == 400
