"""Every pagination kind against the loopback server, including the two built-in sources' protocols."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import requests
from fetch_helpers import Loopback, clock

from eventframework.definitions.model import CursorSpec, CursorType, FirstRequest
from eventframework.definitions.pagination_keys import PaginationSpec, PaginationType
from eventframework.fetch import fetch_page

TOKEN = "00abcSECRETtoken"


def creds(loopback: Loopback) -> dict[str, str]:
    return {"base_url": loopback.url, "token": TOKEN}


def okta_event(n: int) -> dict:
    return {"uuid": f"u{n}", "published": f"2024-08-14T01:0{n}:00.000Z", "eventType": "x", "severity": "INFO"}


def test_fetch_page_okta_first_request_sends_since_limit_and_ssws(loopback: Loopback, okta) -> None:
    next_link = f"{loopback.url}/api/v1/logs?after=abc123&limit=1000"
    loopback.reply(body=[okta_event(1)], headers={"Link": f'<{next_link}>; rel="next"'})
    page = fetch_page(okta, creds(loopback), None, session=requests.Session(), now=clock)
    seen = loopback.seen[0]
    assert (seen.method, seen.path) == ("GET", "/api/v1/logs")
    assert seen.query["since"] == ["2024-08-14T00:46:40.000Z"]  # now minus the 1h initial lookback
    assert seen.query["limit"] == ["1000"]
    assert seen.query["sortOrder"] == ["ASCENDING"]
    assert seen.headers["Authorization"] == f"SSWS {TOKEN}"
    assert page.count == 1
    assert (page.next_cursor, page.has_more) == (next_link, True)
    assert json.loads(page.body) == [okta_event(1)]


def test_fetch_page_okta_follows_the_next_link_verbatim(loopback: Loopback, okta) -> None:
    cursor = f"{loopback.url}/api/v1/logs?after=abc123&limit=1000"
    loopback.reply(
        body=[okta_event(2)], headers={"Link": f'<{loopback.url}/api/v1/logs?after=def456>; rel="next"'}
    )
    page = fetch_page(okta, creds(loopback), cursor, session=requests.Session(), now=clock)
    assert loopback.seen[0].query == {"after": ["abc123"], "limit": ["1000"]}
    assert page.next_cursor == f"{loopback.url}/api/v1/logs?after=def456"
    assert page.has_more is True


def test_fetch_page_okta_empty_page_means_caught_up_and_keeps_the_next_link(loopback: Loopback, okta) -> None:
    link = f"{loopback.url}/api/v1/logs?after=zzz"
    loopback.reply(body=[], headers={"Link": f'<{link}>; rel="next"'})
    page = fetch_page(
        okta, creds(loopback), f"{loopback.url}/api/v1/logs?after=yyy", session=requests.Session()
    )
    assert page.count == 0
    assert (page.has_more, page.next_cursor) == (False, link)


def test_fetch_page_link_header_without_next_keeps_the_current_cursor(loopback: Loopback, okta) -> None:
    current = f"{loopback.url}/api/v1/logs?after=yyy"
    loopback.reply(body=[okta_event(3)])
    page = fetch_page(okta, creds(loopback), current, session=requests.Session())
    assert (page.has_more, page.next_cursor) == (False, current)


def test_fetch_page_onepassword_first_body_then_cursor_body(loopback: Loopback, onepassword) -> None:
    item = {"uuid": "A", "timestamp": "2024-08-14T01:00:00Z", "category": "success", "type": "credentials_ok"}
    loopback.reply(body={"cursor": "c1", "has_more": True, "items": [item]})
    loopback.reply(body={"cursor": "c2", "has_more": False, "items": []})
    first = fetch_page(onepassword, creds(loopback), None, session=requests.Session(), now=clock)
    second = fetch_page(
        onepassword, creds(loopback), first.next_cursor, session=requests.Session(), now=clock
    )
    assert loopback.seen[0].method == "POST"
    assert loopback.seen[0].path == "/api/v2/signinattempts"
    assert loopback.seen[0].json == {"limit": 1000, "start_time": "2024-08-14T00:46:40.000Z"}
    assert loopback.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert loopback.seen[1].json == {"cursor": "c1"}
    assert (first.next_cursor, first.has_more, first.count) == ("c1", True, 1)
    assert (second.next_cursor, second.has_more) == ("c2", False)


def test_fetch_page_body_cursor_in_query(loopback: Loopback, okta) -> None:
    spec = PaginationSpec(type=PaginationType.BODY_CURSOR, cursor_path="meta.next", cursor_param="page_token")
    definition = replace(okta, pagination=spec, records_path="data")
    loopback.reply(body={"data": [okta_event(1)], "meta": {"next": "t2"}})
    page = fetch_page(definition, creds(loopback), "t1", session=requests.Session())
    assert loopback.seen[0].query["page_token"] == ["t1"]
    assert "since" not in loopback.seen[0].query  # a cursor resumes on its own
    assert (page.next_cursor, page.has_more) == ("t2", True)


def test_fetch_page_body_cursor_has_more_without_cursor_is_malformed(loopback: Loopback, onepassword) -> None:
    from eventframework.fetch import MalformedPageError

    loopback.reply(body={"has_more": True, "items": []})
    with pytest.raises(MalformedPageError, match="no cursor"):
        fetch_page(onepassword, creds(loopback), "c1", session=requests.Session())


def test_fetch_page_body_next_url_resolves_relative_links(loopback: Loopback, okta) -> None:
    spec = PaginationSpec(type=PaginationType.BODY_NEXT_URL, next_url_path="links.next")
    definition = replace(okta, pagination=spec, records_path="events")
    loopback.reply(body={"events": [okta_event(1)], "links": {"next": "/api/v1/logs?page=2"}})
    loopback.reply(body={"events": [], "links": {"next": None}})
    first = fetch_page(definition, creds(loopback), None, session=requests.Session(), now=clock)
    assert (first.next_cursor, first.has_more) == (f"{loopback.url}/api/v1/logs?page=2", True)
    second = fetch_page(definition, creds(loopback), first.next_cursor, session=requests.Session())
    assert loopback.seen[1].query == {"page": ["2"]}
    assert (second.next_cursor, second.has_more) == (first.next_cursor, False)


def _offset_definition(okta, kind: PaginationType):
    if kind is PaginationType.OFFSET:
        spec = PaginationSpec(type=kind, offset_param="skip", limit_param="take")
    else:
        spec = PaginationSpec(type=kind, page_param="page", limit_param="per_page", first_page=1)
    return replace(okta, pagination=spec, page_size=2, records_path="rows")


def test_fetch_page_offset_advances_by_records_and_stops_on_a_short_page(loopback: Loopback, okta) -> None:
    definition = _offset_definition(okta, PaginationType.OFFSET)
    loopback.reply(body={"rows": [okta_event(1), okta_event(2)]})
    loopback.reply(body={"rows": [okta_event(3)]})
    first = fetch_page(definition, creds(loopback), None, session=requests.Session(), now=clock)
    second = fetch_page(definition, creds(loopback), first.next_cursor, session=requests.Session(), now=clock)
    assert loopback.seen[0].query["skip"] == ["0"] and loopback.seen[0].query["take"] == ["2"]
    assert loopback.seen[1].query["skip"] == ["2"]
    assert loopback.seen[1].query["since"] == loopback.seen[0].query["since"]  # same window throughout
    assert first.has_more is True and second.has_more is False
    assert json.loads(second.next_cursor or "")["page"] == "3"


def test_fetch_page_page_number_counts_pages(loopback: Loopback, okta) -> None:
    definition = _offset_definition(okta, PaginationType.PAGE_NUMBER)
    loopback.reply(body={"rows": [okta_event(1), okta_event(2)]})
    loopback.reply(body={"rows": []})
    first = fetch_page(definition, creds(loopback), None, session=requests.Session(), now=clock)
    second = fetch_page(definition, creds(loopback), first.next_cursor, session=requests.Session(), now=clock)
    assert [s.query["page"] for s in loopback.seen] == [["1"], ["2"]]
    assert loopback.seen[0].query["per_page"] == ["2"]
    assert (first.has_more, second.has_more) == (True, False)
    assert json.loads(second.next_cursor or "")["page"] == "2"  # stay on the last page: new events land there


def test_fetch_page_timestamp_cursor_checkpoints_the_newest_event_and_applies_lag(
    loopback: Loopback, okta
) -> None:
    cursor_spec = CursorSpec(
        type=CursorType.TIMESTAMP,
        lag_seconds=60,
        initial_lookback_seconds=600,
        first_request=FirstRequest(params={"since": "{start_time}"}),
    )
    spec = PaginationSpec(
        type=PaginationType.BODY_CURSOR, cursor_path="next", cursor_param="cursor", has_more_path="more"
    )
    definition = replace(okta, cursor=cursor_spec, pagination=spec, records_path="items")
    loopback.reply(body={"items": [okta_event(5), okta_event(2)], "next": "p2", "more": True})
    loopback.reply(body={"items": [okta_event(7)], "next": "p3", "more": False})
    loopback.reply(body={"items": [], "next": "p4", "more": False})
    first = fetch_page(definition, creds(loopback), None, session=requests.Session(), now=clock)
    middle = json.loads(first.next_cursor or "")
    assert middle == {
        "since": "2024-08-14T01:36:40.000000+00:00",
        "page": "p2",
        "newest": "2024-08-14T01:05:00.000000+00:00",
    }
    assert loopback.seen[0].query["since"] == ["2024-08-14T01:35:40.000Z"]  # lookback, minus the lag
    second = fetch_page(definition, creds(loopback), first.next_cursor, session=requests.Session(), now=clock)
    assert loopback.seen[1].query["cursor"] == ["p2"]
    closed = json.loads(second.next_cursor or "")
    assert closed == {"since": "2024-08-14T01:36:40.000000+00:00", "page": None, "newest": None}
    fetch_page(definition, creds(loopback), second.next_cursor, session=requests.Session(), now=clock)
    assert loopback.seen[2].query["since"] == ["2024-08-14T01:35:40.000Z"]


def test_fetch_page_timestamp_cursor_moves_to_the_newest_event(loopback: Loopback, okta) -> None:
    cursor_spec = CursorSpec(
        type=CursorType.TIMESTAMP, lag_seconds=30, first_request=FirstRequest(params={"from": "{start_time}"})
    )
    definition = replace(okta, cursor=cursor_spec, pagination=PaginationSpec(type=PaginationType.LINK_HEADER))
    loopback.reply(body=[okta_event(4), okta_event(8)])
    loopback.reply(body=[])
    page = fetch_page(
        definition, creds(loopback), '{"since":"2024-08-14T01:00:00Z"}', session=requests.Session()
    )
    assert loopback.seen[0].query["from"] == ["2024-08-14T00:59:30.000Z"]
    assert json.loads(page.next_cursor or "")["since"] == "2024-08-14T01:08:00.000000+00:00"
    fetch_page(definition, creds(loopback), page.next_cursor, session=requests.Session())
    assert loopback.seen[1].query["from"] == ["2024-08-14T01:07:30.000Z"]
