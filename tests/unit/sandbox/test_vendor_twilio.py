"""Twilio Monitor Events in the sandbox: HTTP basic auth with the Account SID and Auth Token, the
StartDate format the reference documents, newest-first pages continued by meta.next_page_url, and
Twilio's error document. The shared catalogue contract breaks only token-like secrets, so the wrong
password is checked here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.definitions import load_source
from eventframework.fetch import SourceAuthError, fetch_page
from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

SOURCE = "twilio-monitor-events"
EVENTS = 12


@pytest.fixture
def twilio() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={SOURCE: EVENTS}, seed=4, token="twilio-token", start_time=START, clock=clock
    ) as running:
        yield running


def get(sandbox: Sandbox, auth: tuple[str, str], **params: str | int) -> requests.Response:
    return requests.get(f"{sandbox.base_url}/v1/Events", params=params, auth=auth, timeout=TIMEOUT)


def account(sandbox: Sandbox) -> tuple[str, str]:
    credentials = sandbox.credentials(SOURCE)
    assert set(credentials) == {"base_url", "username", "password"}
    return credentials["username"], credentials["password"]


def test_twilio_refuses_a_wrong_auth_token_with_error_20003(twilio: Sandbox) -> None:
    sid, _ = account(twilio)
    response = get(twilio, (sid, "wrong"), StartDate="2026-03-01T12:00:00Z")
    assert response.status_code == 401
    assert response.json()["code"] == 20003 and response.json()["status"] == 401


def test_twilio_pull_with_a_wrong_password_is_an_auth_failure(twilio: Sandbox) -> None:
    credentials = twilio.credentials(SOURCE) | {"password": "wrong"}
    with requests.Session() as session, pytest.raises(SourceAuthError):
        fetch_page(load_source(SOURCE), credentials, None, session=session, now=lambda: EPOCH_START + 3600)


@pytest.mark.parametrize("start", ["2026-03-01T12:00:00.000Z", "2026-03-01", "1772366400"])
def test_twilio_start_date_must_be_gmt_iso_8601_with_seconds(twilio: Sandbox, start: str) -> None:
    response = get(twilio, account(twilio), StartDate=start)
    assert response.status_code == 400 and response.json()["code"] == 20001


def test_twilio_pages_newest_first_through_next_page_url(twilio: Sandbox) -> None:
    auth = account(twilio)
    response = get(twilio, auth, StartDate="2026-03-01T12:00:00Z", PageSize=5)
    dates: list[str] = []
    pages = 0
    while True:
        assert response.status_code == 200
        body = response.json()
        assert body["meta"]["key"] == "events" and body["meta"]["page"] == pages
        dates += [event["event_date"] for event in body["events"]]
        pages += 1
        if body["meta"]["next_page_url"] is None:
            break
        assert "StartDate=" in body["meta"]["next_page_url"]
        response = requests.get(body["meta"]["next_page_url"], auth=auth, timeout=TIMEOUT)
    assert pages == 3 and len(dates) == EVENTS
    assert dates == sorted(dates, reverse=True)


def test_twilio_page_size_is_capped_at_1000(twilio: Sandbox) -> None:
    body = get(twilio, account(twilio), StartDate="2026-03-01T12:00:00Z", PageSize=5000).json()
    assert body["meta"]["page_size"] == 1000
