"""Kinds the catalogue's vendors need: OAuth2 refresh tokens (Dropbox), extra token-request fields
(Zoom's account_credentials grant, Box's subject), a listing continued at another path (Dropbox's
/continue) and a window served in one response (Tailscale)."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from fetch_helpers import FIXED_NOW, Loopback, clock

from eventframework.definitions import load_source
from eventframework.definitions.auth_keys import AuthSpec, AuthType
from eventframework.definitions.model import (
    CursorSpec,
    CursorType,
    FirstRequest,
    RequestSpec,
    SourceDefinition,
)
from eventframework.definitions.pagination_keys import PaginationSpec, PaginationType
from eventframework.fetch import CredentialsError, FetchedPage, fetch_page
from eventframework.fetch.auth import NoAuth, OAuth2ClientCredentialsAuth, OAuth2RefreshTokenAuth, TokenCache


def plain_fetch(
    definition: SourceDefinition, loopback: Loopback, cursor: str | None = None, now: Any = clock
) -> FetchedPage:
    """A fetch without authentication (the kind under test is pagination)."""
    return fetch_page(
        definition,
        {"base_url": loopback.url},
        cursor,
        session=requests.Session(),
        now=now,
        auth=NoAuth(definition.auth),
    )


@pytest.fixture
def base() -> SourceDefinition:
    return load_source("onepassword-signin-attempts")


def test_auth_refresh_token_exchanges_the_secrets_refresh_token(
    loopback: Loopback, base: SourceDefinition
) -> None:
    spec = AuthSpec(type=AuthType.OAUTH2_REFRESH_TOKEN, token_url="/oauth2/token", client_auth="basic")
    creds = {"base_url": loopback.url, "client_id": "app", "client_secret": "s3cr3t", "refresh_token": "rt-1"}
    loopback.reply(body={"access_token": "short-lived", "token_type": "bearer", "expires_in": 14400})
    loopback.reply(body={"items": [], "cursor": "c", "has_more": False})
    fetch_page(replace(base, auth=spec), creds, None, session=requests.Session(), now=clock,
               auth=OAuth2RefreshTokenAuth(spec, cache=TokenCache()))  # fmt: skip
    token_request, page_request = loopback.seen
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["rt-1"],
    }
    assert token_request.headers["Authorization"] == "Basic " + base64.b64encode(b"app:s3cr3t").decode()
    assert page_request.headers["Authorization"] == "Bearer short-lived"


def test_auth_token_params_fill_secret_values_and_may_override_the_grant(
    loopback: Loopback, base: SourceDefinition
) -> None:
    # Zoom Server-to-Server OAuth: grant_type=account_credentials&account_id=<account id>.
    spec = AuthSpec(
        type=AuthType.OAUTH2_CLIENT_CREDENTIALS,
        token_url="/oauth/token",
        token_params={"grant_type": "account_credentials", "account_id": "{account_id}"},
    )
    creds = {"base_url": loopback.url, "client_id": "c", "client_secret": "s", "account_id": "acct-42"}
    loopback.reply(body={"access_token": "at", "expires_in": 3600})
    loopback.reply(body={"items": [], "cursor": "c", "has_more": False})
    fetch_page(replace(base, auth=spec), creds, None, session=requests.Session(), now=clock,
               auth=OAuth2ClientCredentialsAuth(spec, cache=TokenCache()))  # fmt: skip
    assert parse_qs(loopback.seen[0].body.decode()) == {
        "grant_type": ["account_credentials"],
        "account_id": ["acct-42"],
    }


def test_auth_token_params_name_a_missing_secret_key_and_never_a_value(
    loopback: Loopback, base: SourceDefinition
) -> None:
    spec = AuthSpec(
        type=AuthType.OAUTH2_CLIENT_CREDENTIALS,
        token_url="/t",
        token_params={"box_subject_id": "{enterprise_id}"},
    )
    creds = {"base_url": loopback.url, "client_id": "c", "client_secret": "hunter2"}
    with pytest.raises(CredentialsError) as raised:
        fetch_page(replace(base, auth=spec), creds, None, session=requests.Session(), now=clock,
                   auth=OAuth2ClientCredentialsAuth(spec, cache=TokenCache()))  # fmt: skip
    assert "enterprise_id" in str(raised.value) and "hunter2" not in str(raised.value)


def _dropbox_like(base: SourceDefinition) -> SourceDefinition:
    return replace(
        base,
        request=RequestSpec(path="/2/team_log/get_events", method="POST"),
        pagination=PaginationSpec(
            type=PaginationType.BODY_CURSOR,
            cursor_path="cursor",
            cursor_param="cursor",
            cursor_in="json_body",
            has_more_path="has_more",
            continue_path="/2/team_log/get_events/continue",
        ),
        records_path="events",
        cursor=CursorSpec(
            type=CursorType.NEXT_REQUEST,
            first_request=FirstRequest(
                body={"limit": "{page_size}", "time": {"start_time": "{start_time:%Y-%m-%dT%H:%M:%SZ}"}}
            ),
        ),
    )


def test_pagination_continue_path_sends_only_the_cursor_there(
    loopback: Loopback, base: SourceDefinition
) -> None:
    definition = _dropbox_like(base)
    loopback.reply(body={"events": [], "cursor": "AAE1", "has_more": True})
    loopback.reply(body={"events": [], "cursor": "AAE2", "has_more": False})
    first = plain_fetch(definition, loopback)
    plain_fetch(definition, loopback, first.next_cursor)
    opening, continued = loopback.seen
    assert (opening.path, json.loads(opening.body)) == (
        "/2/team_log/get_events",
        {"limit": 1000, "time": {"start_time": "2024-08-14T00:46:40Z"}},
    )
    assert (continued.path, json.loads(continued.body)) == (
        "/2/team_log/get_events/continue",
        {"cursor": "AAE1"},
    )


def test_pagination_none_reads_the_window_once_and_resumes_from_the_newest_time(
    loopback: Loopback, base: SourceDefinition
) -> None:
    definition = replace(
        base,
        request=RequestSpec(path="/api/v2/tailnet/example.com/logging/configuration"),
        pagination=PaginationSpec(type=PaginationType.NONE),
        records_path="logs",
        event_time_path="eventTime",
        cursor=CursorSpec(
            type=CursorType.TIMESTAMP,
            lag_seconds=60,
            first_request=FirstRequest(params={"start": "{start_time:%Y-%m-%dT%H:%M:%SZ}"}, every_page=True),
        ),
    )
    newest = "2024-08-14T01:40:00Z"
    loopback.reply(
        body={
            "logs": [{"uuid": "a", "eventTime": "2024-08-14T01:00:00Z"}, {"uuid": "b", "eventTime": newest}]
        }
    )
    loopback.reply(body={"logs": []})
    page = plain_fetch(definition, loopback)
    assert page.has_more is False
    plain_fetch(definition, loopback, page.next_cursor, now=lambda: FIXED_NOW + 300)
    assert loopback.seen[1].query["start"] == ["2024-08-14T01:39:00Z"]  # the newest minus the lag


def test_pagination_header_cursor_sends_the_headers_json_back_in_the_body(
    loopback: Loopback, base: SourceDefinition
) -> None:
    # JumpCloud Directory Insights: X-Search_after carries the next page's search_after, a JSON array.
    definition = replace(
        base,
        page_size=2,
        request=RequestSpec(path="/insights/directory/v1/events", method="POST"),
        pagination=PaginationSpec(
            type=PaginationType.HEADER_CURSOR,
            cursor_header="X-Search_after",
            cursor_param="search_after",
            cursor_in="json_body",
        ),
        records_path="$",
    )
    events = [
        {"id": "a", "timestamp": "2024-08-14T01:00:00Z"},
        {"id": "b", "timestamp": "2024-08-14T01:00:01Z"},
    ]
    loopback.reply(body=events, headers={"X-Search_after": '[1723597201000, "b"]'})
    loopback.reply(body=events[:1], headers={"X-Search_after": '[1723597202000, "c"]'})
    first = plain_fetch(definition, loopback)
    assert first.has_more is True
    last = plain_fetch(definition, loopback, first.next_cursor)
    assert json.loads(loopback.seen[1].body)["search_after"] == [1723597201000, "b"]
    assert last.has_more is False, "a short page is the last"
