"""JumpCloud Directory Insights in the sandbox: an `x-api-key` header, a JSON query body with
`start_time` on every page, paging by the X-Search_after response header (sent with the last page
too, so a page shorter than X-Limit is what ends a listing), and the definition pulling it through
the `header_cursor` pagination kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from eventframework.definitions import load_source
from eventframework.fetch import fetch_page
from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

SOURCE = "jumpcloud-directory-insights"
PATH = "/insights/directory/v1/events"
EVENTS = 9
KEY = {"x-api-key": "jumpcloud-key"}
QUERY: dict[str, Any] = {"service": ["all"], "start_time": "2026-03-01T12:00:00Z"}


@pytest.fixture
def jumpcloud() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={SOURCE: EVENTS}, seed=4, token="jumpcloud-key", start_time=START, clock=clock
    ) as running:
        yield running


def post(sandbox: Sandbox, body: Any, headers: dict[str, str] = KEY) -> requests.Response:
    return requests.post(f"{sandbox.base_url}{PATH}", json=body, headers=headers, timeout=TIMEOUT)


def test_jumpcloud_pages_by_the_search_after_header_until_a_short_page(jumpcloud: Sandbox) -> None:
    ids: list[str] = []
    body = {**QUERY, "limit": 4}
    while True:
        response = post(jumpcloud, body)
        assert response.status_code == 200
        events = response.json()
        ids += [event["id"] for event in events]
        assert response.headers["X-Result-Count"] == str(len(events))
        assert (response.headers["X-Limit"], response.headers["X-Sort"]) == ("4", "ASC")
        search_after = json.loads(response.headers["X-Search_after"])  # on the last page too
        assert search_after[1] == events[-1]["id"] and isinstance(search_after[0], int)
        if len(events) < 4:
            break
        body = {**QUERY, "limit": 4, "search_after": search_after}
    assert len(ids) == EVENTS == len(set(ids))


@pytest.mark.parametrize(
    "body",
    [
        {"service": ["all"]},
        {"service": ["all"], "start_time": "2026-03-01"},
        {"service": ["all"], "start_time": "1772366400"},
        {"start_time": "2026-03-01T12:00:00Z"},
        {"service": ["everything"], "start_time": "2026-03-01T12:00:00Z"},
        {**QUERY, "end_time": "2026-03-01T11:00:00Z"},
        {**QUERY, "search_after": [1772366400000, "not-an-id"]},
    ],
)
def test_jumpcloud_refuses_a_malformed_query(jumpcloud: Sandbox, body: dict[str, Any]) -> None:
    response = post(jumpcloud, body)
    assert response.status_code == 400 and response.json()["message"]


def test_jumpcloud_takes_a_nonsensical_limit_as_the_default(jumpcloud: Sandbox) -> None:
    response = post(jumpcloud, {**QUERY, "limit": 50_000, "sort": "sideways"})
    assert response.status_code == 200
    assert (response.headers["X-Limit"], response.headers["X-Sort"]) == ("1000", "ASC")


def test_jumpcloud_wants_the_api_key_in_x_api_key(jumpcloud: Sandbox) -> None:
    assert post(jumpcloud, QUERY, {"x-api-key": "other"}).status_code == 401
    assert post(jumpcloud, QUERY, {"Authorization": "Bearer jumpcloud-key"}).status_code == 401


def test_jumpcloud_definition_sends_start_time_every_page_and_search_after_as_an_array(
    jumpcloud: Sandbox,
) -> None:
    definition = replace(load_source(SOURCE), page_size=4)
    credentials = jumpcloud.credentials(SOURCE)
    cursor = None
    pages = 0
    with requests.Session() as session:
        while True:
            page = fetch_page(
                definition, credentials, cursor, session=session, now=lambda: EPOCH_START + 3600
            )
            pages += 1
            cursor = page.next_cursor
            if not page.has_more:
                break
    records = jumpcloud.requests(SOURCE)
    bodies = [record.body for record in records]
    assert pages == len(bodies) == 3
    assert [record.page for record in records] == [1, 2, 3]
    assert {body["start_time"] for body in bodies} == {"2026-03-01T11:55:00Z"}  # lookback 1 h, lag 5 min
    assert all(body["service"] == ["all"] and body["sort"] == "ASC" and body["limit"] == 4 for body in bodies)
    assert "search_after" not in bodies[0]
    assert all(isinstance(body["search_after"], list) for body in bodies[1:])
