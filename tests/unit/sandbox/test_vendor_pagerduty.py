"""PagerDuty audit records in the sandbox: `Authorization: Token token=<key>`, newest first, the body's
next_cursor (null at the end), `since`/`until` at most 31 days apart, and PagerDuty's error document
with ratelimit-reset in seconds to wait."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Fault, Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

SOURCE = "pagerduty-audit-records"
EVENTS = 7
AUTH = {"Authorization": "Token token=pd-token", "Accept": "application/vnd.pagerduty+json;version=2"}


@pytest.fixture
def pagerduty() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(events={SOURCE: EVENTS}, seed=4, token="pd-token", start_time=START, clock=clock) as running:
        yield running


def get(sandbox: Sandbox, headers: dict[str, str], **params: str | int) -> requests.Response:
    return requests.get(f"{sandbox.base_url}/audit/records", params=params, headers=headers, timeout=TIMEOUT)


def test_pagerduty_pages_newest_first_until_next_cursor_is_null(pagerduty: Sandbox) -> None:
    since = "2026-03-01T12:00:00.000Z"
    page = get(pagerduty, AUTH, since=since, limit=3).json()
    times = [record["execution_time"] for record in page["records"]]
    assert page["limit"] == 3
    while page["next_cursor"] is not None:
        page = get(pagerduty, AUTH, since=since, limit=3, cursor=page["next_cursor"]).json()
        times += [record["execution_time"] for record in page["records"]]
    assert times == sorted(times, reverse=True) and len(times) == EVENTS


def test_pagerduty_clamps_the_limit_and_refuses_a_window_over_31_days(pagerduty: Sandbox) -> None:
    assert get(pagerduty, AUTH, limit=5000).json()["limit"] == 100
    reply = get(pagerduty, AUTH, since="2026-01-01T00:00:00Z", until="2026-03-01T12:00:00Z")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == 2001


def test_pagerduty_wants_the_token_scheme(pagerduty: Sandbox) -> None:
    reply = get(pagerduty, {"Authorization": "Bearer pd-token"})
    assert reply.status_code == 401 and "error" in reply.json()


@pytest.mark.parametrize("fault", [{"rate_limit_reset_in": 12}, {"retry_after": 12}])
def test_pagerduty_rate_limit_says_how_many_seconds_to_wait(
    pagerduty: Sandbox, fault: dict[str, int]
) -> None:
    pagerduty.inject(SOURCE, Fault.http_status(429, **fault))
    reply = get(pagerduty, AUTH)
    assert reply.status_code == 429 and reply.headers["ratelimit-reset"] == "12"
    assert reply.headers["ratelimit-remaining"] == "0"
