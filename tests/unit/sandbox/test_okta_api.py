"""The Okta System Log endpoint over real HTTP: pagination, polling semantics, headers, auth."""

from __future__ import annotations

import re
from datetime import timedelta

import requests

from eventframework.local.sandbox import Cursor, Sandbox
from eventframework.local.sandbox.vendor_shapes import ABSENT_FIELD_EVERY

from .support import OKTA, OKTA_AUTH, START, TIMEOUT, okta_first, okta_next


def _walk(sandbox: Sandbox, session: requests.Session, limit: int) -> list[dict[str, object]]:
    response = okta_first(sandbox, session, limit=limit)
    seen: list[dict[str, object]] = []
    while response.json():
        seen.extend(response.json())
        response = okta_next(session, response)
    return seen


def test_okta_pagination_walks_all_events_once_in_order(sandbox: Sandbox, session: requests.Session) -> None:
    seen = _walk(sandbox, session, limit=100)
    assert [e["uuid"] for e in seen] == [e["uuid"] for e in sandbox.events(OKTA)]
    assert len({e["uuid"] for e in seen}) == 250
    published = [str(e["published"]) for e in seen]
    assert published == sorted(published)


def test_okta_empty_page_still_carries_next_link(sandbox: Sandbox, session: requests.Session) -> None:
    response = okta_first(sandbox, session, limit=1000)
    assert len(response.json()) == 250
    empty = okta_next(session, response)
    assert empty.status_code == 200
    assert empty.json() == []
    assert "next" in empty.links
    assert "after=" in empty.links["next"]["url"]


def test_okta_headers_are_present_and_well_formed(
    sandbox: Sandbox, session: requests.Session, clock: object
) -> None:
    response = okta_first(sandbox, session)
    assert response.headers["Content-Type"] == "application/json"
    assert response.links["self"]["url"].startswith(f"{sandbox.base_url}/api/v1/logs?")
    next_url = response.links["next"]["url"]
    assert re.fullmatch(rf"{re.escape(sandbox.base_url)}/api/v1/logs\?after=[\w-]+&limit=100", next_url)
    limit = int(response.headers["X-Rate-Limit-Limit"])
    remaining = int(response.headers["X-Rate-Limit-Remaining"])
    reset = int(response.headers["X-Rate-Limit-Reset"])
    assert 0 <= remaining < limit
    assert 0 < reset - int(clock()) <= 60  # type: ignore[operator]
    second = okta_next(session, response)
    assert int(second.headers["X-Rate-Limit-Remaining"]) == remaining - 1


def test_okta_events_are_realistic_log_events(sandbox: Sandbox, session: requests.Session) -> None:
    events = okta_first(sandbox, session, limit=50).json()
    for position, event in enumerate(events):
        if position % ABSENT_FIELD_EVERY == 5:
            continue  # an event without one optional field (test_vendor_shapes.py)
        assert {"uuid", "published", "eventType", "version", "severity", "displayMessage", "actor",
                "client", "outcome", "target", "transaction", "debugContext",
                "authenticationContext", "securityContext", "request"} <= set(event)  # fmt: skip
        assert event["client"]["userAgent"]["rawUserAgent"]
        assert event["client"]["ipAddress"] == event["request"]["ipChain"][0]["ip"]
        assert event["published"].endswith("Z")
    assert events[0]["published"] == START.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_okta_refuses_requests_without_the_token(sandbox: Sandbox, session: requests.Session) -> None:
    url = f"{sandbox.base_url}/api/v1/logs"
    missing = session.get(url, timeout=TIMEOUT)
    wrong = session.get(url, headers={"Authorization": "SSWS nope"}, timeout=TIMEOUT)
    bearer = session.get(url, headers={"Authorization": "Bearer sandbox-token"}, timeout=TIMEOUT)
    for response in (missing, wrong, bearer):
        assert response.status_code == 401
        assert response.json()["errorCode"] == "E0000011"
        assert response.json()["errorSummary"] == "Invalid token provided"


def test_okta_rejects_bad_parameters_with_okta_errors(sandbox: Sandbox, session: requests.Session) -> None:
    url = f"{sandbox.base_url}/api/v1/logs"
    for params in ({"limit": "1001"}, {"limit": "many"}, {"since": "yesterday"}, {"after": "%%%"}):
        response = session.get(url, params=params, headers=OKTA_AUTH, timeout=TIMEOUT)
        assert response.status_code == 400, params
        assert response.json()["errorCode"] == "E0000001"
        assert response.json()["errorCauses"]


def test_okta_since_filters_by_ingestion_time(sandbox: Sandbox, session: requests.Session) -> None:
    events = okta_first(sandbox, session, since=(START + timedelta(seconds=200)).isoformat()).json()
    assert [e["uuid"] for e in events] == [e["uuid"] for e in sandbox.events(OKTA)[200:]]


def test_okta_until_bounds_the_query_and_rides_in_the_cursor(
    sandbox: Sandbox, session: requests.Session
) -> None:
    until = (START + timedelta(seconds=30)).isoformat()
    first = okta_first(sandbox, session, limit=20, until=until)
    second = okta_next(session, first)
    assert len(first.json()) == 20
    assert len(second.json()) == 10
    assert okta_next(session, second).json() == []


def test_okta_cursor_counts_pages_of_the_chain(sandbox: Sandbox, session: requests.Session) -> None:
    first = okta_first(sandbox, session)
    after = first.links["next"]["url"].split("after=")[1].split("&")[0]
    cursor = Cursor.decode(after)
    assert cursor is not None
    assert (cursor.position, cursor.page) == (100, 2)


def test_okta_unknown_path_and_method_are_refused(sandbox: Sandbox, session: requests.Session) -> None:
    assert session.get(f"{sandbox.base_url}/api/v1/users", timeout=TIMEOUT).status_code == 404
    post = session.post(f"{sandbox.base_url}/api/v1/logs", headers=OKTA_AUTH, timeout=TIMEOUT)
    assert post.status_code == 405
