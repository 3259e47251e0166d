"""Requests as each vendor's reference specifies them: parameter formats, paths and API versions.

The sandbox enforces the same formats (tests/unit/catalogue pulls through it); these pin the exact
bytes the real request builder sends, with the page each format comes from.
"""

from __future__ import annotations

import pytest
import requests
from fetch_helpers import Loopback, clock

from eventframework.definitions import load_source
from eventframework.fetch import fetch_page
from eventframework.fetch.auth import NoAuth

# FIXED_NOW is 2024-08-14T01:46:40Z; every source's first window starts an hour earlier.
FIRST_REQUESTS = {
    # docs.github.com (Reviewing the audit log for your organization, "Search based on time of
    # action"): YYYY-MM-DD, optionally THH:MM:SS+00:00; no Z, no fractions.
    "github": ("github-audit-log", "phrase", "created:>=2024-08-14T00:46:40+00:00"),
    # auth0.com/docs/deploy-monitor/logs/log-search-query-syntax: dates as YYYY-MM-DD (the documented
    # ranges add THH:MM:SS without a zone).
    "auth0": ("auth0-logs", "q", "date:[2024-08-14T00:46:40 TO *]"),
    # developer.okta.com (listLogEvents): since is an ISO 8601 timestamp.
    "okta": ("okta-system-log", "since", "2024-08-14T00:46:40.000Z"),
    # duo.com/docs/adminapi#authentication-logs: mintime, 13-digit epoch milliseconds.
    "duo": ("duo-authentication-log", "mintime", "1723596280000"),
}


@pytest.mark.parametrize("case", FIRST_REQUESTS.values(), ids=FIRST_REQUESTS.keys())
def test_fetch_first_request_sends_the_time_in_the_vendors_format(
    loopback: Loopback, case: tuple[str, str, str]
) -> None:
    source, parameter, expected = case
    definition = load_source(source)
    loopback.reply(
        status=200,
        body=b'{"response": {"authlogs": [], "metadata": {}}}' if source.startswith("duo") else b"[]",
    )
    fetch_page(
        definition,
        {"base_url": loopback.url},
        None,
        session=requests.Session(),
        now=clock,
        auth=NoAuth(definition.auth),
    )
    (seen,) = loopback.seen
    assert seen.query[parameter] == [expected]


def test_fetch_onepassword_calls_the_v2_endpoint_the_reference_documents(loopback: Loopback) -> None:
    # www.1password.dev/events-api/reference/sign-in-attempt: POST /api/v2/signinattempts.
    definition = load_source("onepassword-signin-attempts")
    loopback.reply(status=200, body={"items": [], "cursor": "c", "has_more": False})
    fetch_page(definition, {"base_url": loopback.url}, None, session=requests.Session(), now=clock,
               auth=NoAuth(definition.auth))  # fmt: skip
    (seen,) = loopback.seen
    assert (seen.method, seen.path) == ("POST", "/api/v2/signinattempts")
    assert seen.json["start_time"] == "2024-08-14T00:46:40.000Z"


def test_fetch_github_sends_the_newest_rest_api_version(loopback: Loopback) -> None:
    definition = load_source("github-audit-log")
    loopback.reply(status=200, body=b"[]")
    fetch_page(definition, {"base_url": loopback.url}, None, session=requests.Session(), now=clock,
               auth=NoAuth(definition.auth))  # fmt: skip
    (seen,) = loopback.seen
    assert seen.headers["X-GitHub-Api-Version"] == "2026-03-10"


def test_fetch_zendesk_sends_the_created_at_filter_twice_start_then_end(loopback: Loopback) -> None:
    # developer.zendesk.com (Audit Logs): "you must specify filter[created_at] twice in your request".
    definition = load_source("zendesk-audit-logs")
    loopback.reply(status=200, body={"audit_logs": [], "meta": {"has_more": False, "after_cursor": None}})
    fetch_page(definition, {"base_url": loopback.url}, None, session=requests.Session(), now=clock,
               auth=NoAuth(definition.auth))  # fmt: skip
    (seen,) = loopback.seen
    assert seen.query["filter[created_at][]"] == ["2024-08-14T00:46:40Z", "2024-08-14T01:46:40Z"]


def test_fetch_google_page_without_items_is_an_empty_page(loopback: Loopback) -> None:
    # Google's list responses leave `items` out when there is nothing to list.
    definition = load_source("google-workspace-login")
    loopback.reply(status=200, body={"kind": "admin#reports#activities", "etag": '"x"'})
    page = fetch_page(definition, {"base_url": loopback.url}, None, session=requests.Session(), now=clock,
                      auth=NoAuth(definition.auth))  # fmt: skip
    assert (page.count, page.has_more) == (0, False)
