"""The contract's named fetch errors: status codes, rate limits, timeouts, bad bodies, foreign links."""

from __future__ import annotations

import json
import socket
from email.utils import formatdate

import pytest
import requests
from fetch_helpers import FIXED_NOW, Loopback, clock, with_fast_timeouts

from eventframework.fetch import (
    CredentialsError,
    ForeignHostError,
    MalformedPageError,
    SourceAuthError,
    SourceRateLimitedError,
    SourceRequestError,
    SourceTimeoutError,
    SourceUnavailableError,
    client,
    fetch_page,
)
from eventframework.fetch.auth import NoAuth

TOKEN = "00abcSECRETtoken"


def creds(loopback: Loopback) -> dict[str, str]:
    return {"base_url": loopback.url, "token": TOKEN}


def fetch(definition, loopback: Loopback, cursor: str | None = None):
    return fetch_page(definition, creds(loopback), cursor, session=requests.Session(), now=clock)


def test_fetch_page_429_with_retry_after_seconds_carries_the_wait(loopback: Loopback, okta) -> None:
    loopback.reply(status=429, headers={"Retry-After": "7"}, body={"errorCode": "E0000047"})
    with pytest.raises(SourceRateLimitedError) as caught:
        fetch(okta, loopback)
    assert caught.value.retry_after_seconds == 7.0
    assert caught.value.retryable is True


def test_fetch_page_429_with_okta_reset_epoch_waits_until_reset(loopback: Loopback, okta) -> None:
    loopback.reply(
        status=429, headers={"X-Rate-Limit-Reset": str(int(FIXED_NOW) + 42), "X-Rate-Limit-Remaining": "0"}
    )
    with pytest.raises(SourceRateLimitedError) as caught:
        fetch(okta, loopback)
    assert caught.value.retry_after_seconds == 42.0


def test_fetch_page_429_with_http_date_retry_after(loopback: Loopback, okta) -> None:
    loopback.reply(status=429, headers={"Retry-After": formatdate(FIXED_NOW + 90, usegmt=True)})
    with pytest.raises(SourceRateLimitedError) as caught:
        fetch(okta, loopback)
    assert caught.value.retry_after_seconds == 90.0


def test_fetch_page_429_without_usable_wait_has_none(loopback: Loopback, okta) -> None:
    loopback.reply(status=429, headers={"Retry-After": "soon"})
    with pytest.raises(SourceRateLimitedError) as caught:
        fetch(okta, loopback)
    assert caught.value.retry_after_seconds is None
    assert "no usable wait" in str(caught.value)


def test_fetch_page_429_wait_is_clamped_to_max_wait(loopback: Loopback, okta) -> None:
    loopback.reply(status=429, headers={"Retry-After": "86400"})
    with pytest.raises(SourceRateLimitedError) as caught:
        fetch(okta, loopback)
    assert caught.value.retry_after_seconds == okta.rate_limit.max_wait_seconds


def test_fetch_page_paces_when_remaining_budget_is_low(loopback: Loopback, okta) -> None:
    reset = {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Reset": str(int(FIXED_NOW) + 25)}
    loopback.reply(body=[], headers={**reset, "X-Rate-Limit-Remaining": "1"})
    loopback.reply(body=[], headers={**reset, "X-Rate-Limit-Remaining": "400"})
    assert fetch(okta, loopback).wait_seconds == 25.0
    assert fetch(okta, loopback).wait_seconds is None


@pytest.mark.parametrize("status", [401, 403])
def test_fetch_page_auth_failure_is_not_retryable_and_hides_the_token(
    loopback: Loopback, okta, status: int
) -> None:
    loopback.reply(status=status, body={"errorCode": "E0000011", "errorSummary": "Invalid token provided"})
    with pytest.raises(SourceAuthError) as caught:
        fetch(okta, loopback)
    assert caught.value.status == status
    assert caught.value.retryable is False
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fetch_page_5xx_is_source_unavailable(loopback: Loopback, okta, status: int) -> None:
    loopback.reply(status=status, body=b"oops")
    with pytest.raises(SourceUnavailableError) as caught:
        fetch(okta, loopback)
    assert caught.value.status == status


def test_fetch_page_other_4xx_and_redirects_are_request_errors(loopback: Loopback, okta) -> None:
    loopback.reply(status=400, body={"errorCode": "E0000001"})
    loopback.reply(status=302, headers={"Location": "http://elsewhere.invalid/"})
    with pytest.raises(SourceRequestError):
        fetch(okta, loopback)
    with pytest.raises(SourceRequestError):
        fetch(okta, loopback)
    assert len(loopback.seen) == 2  # the redirect was not followed


def test_fetch_page_connection_refused_is_source_unavailable(okta) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceUnavailableError, match="connection refused or reset"):
        fetch_page(
            okta, {"base_url": f"http://127.0.0.1:{port}", "token": TOKEN}, None, session=requests.Session()
        )


def test_fetch_page_read_timeout_is_source_timeout(loopback: Loopback, okta) -> None:
    loopback.reply(hang=True)
    with pytest.raises(SourceTimeoutError) as caught:
        fetch(with_fast_timeouts(okta), loopback)
    assert caught.value.phase == "read"
    assert caught.value.retryable is True


def test_fetch_page_invalid_json_names_byte_offset_and_url_without_query(loopback: Loopback, okta) -> None:
    loopback.reply(body=b'[{"uuid": "a"}, {"uuid": nope}]')
    cursor = f"{loopback.url}/api/v1/logs?after=SECRETCURSOR"
    with pytest.raises(MalformedPageError) as caught:
        fetch(okta, loopback, cursor)
    assert caught.value.offset == 25  # the "n" of nope
    assert f"{loopback.url}/api/v1/logs" in str(caught.value)
    assert "SECRETCURSOR" not in str(caught.value)
    assert "okta-system-log" in str(caught.value)


def test_fetch_page_truncated_json_is_malformed(loopback: Loopback, okta) -> None:
    body = b'[{"uuid": "a", "published": "2024-'
    loopback.reply(body=body)
    with pytest.raises(
        MalformedPageError, match=rf"truncated JSON \(the body ends early\) at byte {len(body)}"
    ):
        fetch(okta, loopback)


def test_fetch_page_body_cut_off_mid_transfer_is_malformed(loopback: Loopback, okta) -> None:
    loopback.reply(body=b'[{"uuid": "a"}', truncate=True)
    with pytest.raises(MalformedPageError, match="truncated"):
        fetch(okta, loopback)


def test_fetch_page_non_utf8_body_is_malformed(loopback: Loopback, okta) -> None:
    loopback.reply(body=b'["\xff"]')
    with pytest.raises(MalformedPageError) as caught:
        fetch(okta, loopback)
    assert caught.value.offset == 2


def test_fetch_page_nested_past_the_parser_is_malformed_not_a_crash(loopback: Loopback, okta) -> None:
    loopback.reply(body=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(MalformedPageError) as raised:
        fetch(okta, loopback)
    assert "nested too deeply" in str(raised.value)


def test_fetch_page_missing_records_path_is_malformed(loopback: Loopback, onepassword) -> None:
    loopback.reply(body={"cursor": "c", "has_more": False})
    with pytest.raises(MalformedPageError, match="records path 'items' is missing"):
        fetch(onepassword, loopback)


def test_fetch_page_foreign_next_link_is_refused_naming_both_hosts(loopback: Loopback, okta) -> None:
    loopback.reply(
        body=[], headers={"Link": '<https://attacker.example/api/v1/logs?after=SECRET>; rel="next"'}
    )
    with pytest.raises(ForeignHostError) as caught:
        fetch(okta, loopback)
    message = str(caught.value)
    assert "https://attacker.example:443" in message
    assert loopback.url in message
    assert "SECRET" not in message
    assert caught.value.retryable is False


def test_fetch_page_next_link_on_another_port_is_foreign(loopback: Loopback, okta) -> None:
    loopback.reply(body=[], headers={"Link": '<http://127.0.0.1:1/api/v1/logs?after=x>; rel="next"'})
    with pytest.raises(ForeignHostError):
        fetch(okta, loopback)


def test_fetch_page_saved_foreign_cursor_is_never_requested(loopback: Loopback, okta) -> None:
    with pytest.raises(ForeignHostError):
        fetch(okta, loopback, "https://attacker.example/api/v1/logs?after=x")
    assert loopback.seen == []


def test_fetch_page_without_base_url_names_the_secret_not_its_values(okta) -> None:
    with pytest.raises(CredentialsError) as caught:
        fetch_page(okta, {"token": TOKEN}, None, session=requests.Session())
    assert "efw/okta-system-log" in str(caught.value)
    assert "base_url" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_fetch_page_refuses_plain_http_to_another_machine(okta) -> None:
    # A token must never cross a network in clear; http is for a server on this machine only.
    with pytest.raises(CredentialsError) as raised:
        fetch_page(
            okta, {"base_url": "http://acme.okta.example", "token": TOKEN}, None, session=requests.Session()
        )
    assert "https" in str(raised.value) and TOKEN not in str(raised.value)


def test_fetch_page_full_page_that_cannot_advance_fails_instead_of_looping(loopback: Loopback) -> None:
    from dataclasses import replace

    from eventframework.definitions import load_source

    auth0 = replace(load_source("auth0-logs"), page_size=2)
    loopback.reply(
        body=[
            {"log_id": "7", "date": "2024-08-14T01:00:00Z"},
            {"log_id": "7", "date": "2024-08-14T01:00:00Z"},
        ]
    )
    with pytest.raises(MalformedPageError) as raised:
        fetch_page(auth0, {"base_url": loopback.url}, "7", session=requests.Session(), now=clock,
                   auth=NoAuth(auth0.auth))  # fmt: skip
    assert "cannot page past it" in str(raised.value)


def test_fetch_page_larger_than_the_cap_is_refused_with_the_fix(
    loopback: Loopback, okta, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page too large to hold in the function's memory is refused before it is read whole."""
    body = json.dumps(
        [{"uuid": str(n), "published": "2024-06-14T16:22:14.183Z"} for n in range(200)]
    ).encode()
    monkeypatch.setattr(client, "MAX_PAGE_BYTES", len(body) - 1)
    loopback.reply(body=body)
    with pytest.raises(MalformedPageError, match=r"larger than \d+ bytes; lower the definition's page_size"):
        fetch(okta, loopback)
    monkeypatch.setattr(client, "MAX_PAGE_BYTES", len(body))
    loopback.reply(body=body)
    assert fetch(okta, loopback).count == 200
