"""GitLab group audit events in the sandbox: PRIVATE-TOKEN (or Bearer) auth, keyset pagination with
order_by=id and sort=desc only, created_after in the documented YYYY-MM-DDTHH:MM:SSZ form, newest
first through rel="next" Link headers that keep every parameter, and GitLab's error shapes
(Rack::Attack's plain-text 429 with RateLimit-* headers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Fault, Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

SOURCE = "gitlab-audit-events"
PATH = "/api/v4/groups/example-group/audit_events"
EVENTS = 7
KEYSET = {"pagination": "keyset", "order_by": "id", "sort": "desc"}


@pytest.fixture
def gitlab() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(events={SOURCE: EVENTS}, seed=4, token="gl-token", start_time=START, clock=clock) as running:
        yield running


def get(sandbox: Sandbox, headers: dict[str, str], **params: str | int) -> requests.Response:
    return requests.get(f"{sandbox.base_url}{PATH}", params=params, headers=headers, timeout=TIMEOUT)


def test_gitlab_pages_newest_first_through_link_headers(gitlab: Sandbox) -> None:
    auth = {"PRIVATE-TOKEN": "gl-token"}
    first = get(gitlab, auth, **KEYSET, created_after="2026-03-01T12:00:00Z", per_page=3)
    assert first.status_code == 200
    ids = [event["id"] for event in first.json()]
    following = first.links["next"]["url"]
    assert "created_after=2026-03-01T12%3A00%3A00Z" in following and "cursor=" in following
    while following:
        page = requests.get(following, headers=auth, timeout=TIMEOUT)
        ids += [event["id"] for event in page.json()]
        following = page.links.get("next", {}).get("url")
    assert ids == sorted(ids, reverse=True) and len(ids) == EVENTS


def test_gitlab_accepts_bearer_and_refuses_a_wrong_token(gitlab: Sandbox) -> None:
    assert get(gitlab, {"Authorization": "Bearer gl-token"}, **KEYSET).status_code == 200
    wrong = get(gitlab, {"PRIVATE-TOKEN": "other"}, **KEYSET)
    assert wrong.status_code == 401 and wrong.json() == {"message": "401 Unauthorized"}


@pytest.mark.parametrize(
    "params",
    [
        {"pagination": "keyset", "order_by": "created_at", "sort": "desc"},
        {"order_by": "id", "sort": "desc"},
        KEYSET | {"created_after": "2026-03-01T12:00:00.000Z"},
        KEYSET | {"created_after": "2026-03-01"},
    ],
)
def test_gitlab_refuses_what_the_reference_does_not_document(gitlab: Sandbox, params: dict[str, str]) -> None:
    reply = get(gitlab, {"PRIVATE-TOKEN": "gl-token"}, **params)
    assert reply.status_code == 400 and "error" in reply.json()


def test_gitlab_rate_limit_is_plain_text_with_ratelimit_headers(gitlab: Sandbox) -> None:
    gitlab.inject(SOURCE, Fault.http_status(429, rate_limit_reset_in=30, retry_after=30))
    reply = get(gitlab, {"PRIVATE-TOKEN": "gl-token"}, **KEYSET)
    assert reply.status_code == 429 and reply.text == "Retry later\n"
    assert reply.headers["Retry-After"] == "30" and reply.headers["RateLimit-Remaining"] == "0"
    assert int(reply.headers["RateLimit-Reset"]) == int(EPOCH_START + 3600) + 30
    assert reply.headers["RateLimit-ResetTime"].endswith("GMT")
