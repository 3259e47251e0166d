"""The Atlassian organization audit log in the sandbox: bearer API key, `from` in epoch milliseconds
on every page (the cursor does not carry it, Atlassian's ACCESS-1603), newest first through
meta.next, and an ISO 8601 X-RateLimit-Reset with its 429."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Fault, Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

SOURCE = "atlassian-org-audit-log"
PATH = "/admin/v1/orgs/example-org/events"
EVENTS = 9
AUTH = {"Authorization": "Bearer atlassian-key"}
FROM = str(int(EPOCH_START * 1000))


@pytest.fixture
def atlassian() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={SOURCE: EVENTS}, seed=4, token="atlassian-key", start_time=START, clock=clock
    ) as running:
        yield running


def get(sandbox: Sandbox, headers: dict[str, str] = AUTH, **params: str | int) -> requests.Response:
    return requests.get(f"{sandbox.base_url}{PATH}", params=params, headers=headers, timeout=TIMEOUT)


def test_atlassian_pages_newest_first_with_from_on_every_page(atlassian: Sandbox) -> None:
    response = get(atlassian, **{"from": FROM, "limit": 4})
    times: list[str] = []
    while True:
        assert response.status_code == 200
        body = response.json()
        times += [event["attributes"]["time"] for event in body["data"]]
        cursor = body["meta"].get("next")
        if not cursor:
            assert "next" not in body["links"]
            break
        assert body["links"]["next"].endswith(f"cursor={cursor}")
        assert get(atlassian, cursor=cursor).status_code == 400, "from is required with the cursor too"
        response = get(atlassian, **{"from": FROM, "limit": 4, "cursor": cursor})
    assert len(times) == EVENTS and times == sorted(times, reverse=True)


@pytest.mark.parametrize("since", ["2026-03-01T12:00:00Z", str(int(EPOCH_START)) + ".5"])
def test_atlassian_from_must_be_epoch_milliseconds(atlassian: Sandbox, since: str) -> None:
    response = get(atlassian, **{"from": since})
    assert response.status_code == 400 and response.json()["code"] == 400


def test_atlassian_refuses_a_wrong_api_key(atlassian: Sandbox) -> None:
    response = get(atlassian, {"Authorization": "Bearer other"}, **{"from": FROM})
    assert response.status_code == 401


def test_atlassian_rate_limit_reset_is_an_iso_date(atlassian: Sandbox) -> None:
    atlassian.inject(SOURCE, Fault.http_status(429, times=1, retry_after=7, rate_limit_reset_in=7))
    response = get(atlassian, **{"from": FROM})
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert (
        response.headers["X-RateLimit-Reset"].endswith("Z") and "T" in response.headers["X-RateLimit-Reset"]
    )
