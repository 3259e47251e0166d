"""Every fault kind over real HTTP: the documented response for the next `times` requests, then normal."""

from __future__ import annotations

import json

import pytest
import requests

from eventframework.local.sandbox import Fault, FaultNotApplicableError, Sandbox

from .support import OKTA, OKTA_AUTH, ONEPASSWORD, TIMEOUT, VirtualClock, okta_first, okta_next, op_first


def _statuses(sandbox: Sandbox, source: str) -> list[int | None]:
    return [record.status for record in sandbox.requests(source)]


def test_fault_http_429_with_retry_after_then_stops(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.http_status(429, times=2, retry_after=1))
    refused = [okta_first(sandbox, session) for _ in range(2)]
    for response in refused:
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
        assert "X-Rate-Limit-Reset" not in response.headers
        assert response.json()["errorCode"] == "E0000047"
    assert okta_first(sandbox, session).status_code == 200
    assert [r.fault for r in sandbox.requests(OKTA)] == ["http_status", "http_status", None]


def test_fault_http_429_with_rate_limit_reset_uses_the_sandbox_clock(
    sandbox: Sandbox, session: requests.Session, clock: VirtualClock
) -> None:
    sandbox.inject(OKTA, Fault.http_status(429, times=1, rate_limit_reset_in=2))
    response = okta_first(sandbox, session)
    assert response.status_code == 429
    assert int(response.headers["X-Rate-Limit-Reset"]) == int(clock()) + 2
    assert response.headers["X-Rate-Limit-Remaining"] == "0"
    assert "Retry-After" not in response.headers
    assert okta_first(sandbox, session).status_code == 200


def test_fault_http_429_without_wait_has_no_wait_headers(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.http_status(429))
    response = okta_first(sandbox, session)
    assert response.status_code == 429
    assert not {"Retry-After", "X-Rate-Limit-Reset"} & set(response.headers)


def test_fault_onepassword_429_carries_retry_after(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(ONEPASSWORD, Fault.http_status(429, retry_after=3))
    response = op_first(sandbox, session)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "3")
    assert response.json() == {"Error": {"Message": "Too Many Requests"}}
    assert op_first(sandbox, session).status_code == 200


@pytest.mark.parametrize("status", [500, 503])
def test_fault_server_errors_repeat_times_then_stop(
    sandbox: Sandbox, session: requests.Session, status: int
) -> None:
    sandbox.inject(OKTA, Fault.http_status(status, times=3))
    responses = [okta_first(sandbox, session) for _ in range(4)]
    assert [r.status_code for r in responses] == [status, status, status, 200]
    assert responses[0].json()["errorCode"] == "E0000009"


def test_fault_slow_exceeds_the_client_timeout_once(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.slow(seconds=0.4, times=1))
    url = f"{sandbox.base_url}/api/v1/logs"
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(url, headers=OKTA_AUTH, timeout=(TIMEOUT, 0.1))
    assert session.get(url, headers=OKTA_AUTH, timeout=(TIMEOUT, TIMEOUT)).status_code == 200


def test_fault_connection_reset_aborts_then_stops(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.connection_reset(times=1))
    with pytest.raises(requests.exceptions.ConnectionError):
        okta_first(sandbox, session)
    assert okta_first(sandbox, session).status_code == 200
    assert _statuses(sandbox, OKTA) == [None, 200]


def test_fault_malformed_json_is_not_json(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(ONEPASSWORD, Fault.malformed_json(times=1))
    response = op_first(sandbox, session)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert op_first(sandbox, session).json()["items"]


def test_fault_truncated_body_is_cut_json(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.truncated_body(times=1))
    truncated = okta_first(sandbox, session)
    whole = okta_first(sandbox, session)
    assert truncated.status_code == 200
    assert whole.content.startswith(truncated.content)
    assert len(truncated.content) == len(whole.content) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.content)


def test_fault_foreign_next_link_points_elsewhere_once(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.foreign_next_link(host="evil.example", times=1))
    first = okta_first(sandbox, session)
    assert first.links["next"]["url"].startswith("https://evil.example/api/v1/logs?after=")
    assert first.links["self"]["url"].startswith(sandbox.base_url)
    assert okta_first(sandbox, session).links["next"]["url"].startswith(sandbox.base_url)


def test_fault_foreign_next_link_is_refused_for_an_api_without_links(sandbox: Sandbox) -> None:
    with pytest.raises(FaultNotApplicableError, match="no next links"):
        sandbox.inject(ONEPASSWORD, Fault.foreign_next_link())


def test_fault_on_page_hits_only_that_page(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.on_page(2, Fault.http_status(500, times=2)))
    first = okta_first(sandbox, session)
    assert first.status_code == 200
    assert okta_first(sandbox, session).status_code == 200  # a fresh chain's first page is page 1
    assert [okta_next(session, first).status_code for _ in range(3)] == [500, 500, 200]
    assert [r.page for r in sandbox.requests(OKTA)] == [1, 1, 2, 2, 2]
    assert sandbox.pending_faults(OKTA) == []


def test_fault_on_page_counts_pages_of_the_onepassword_stream(
    sandbox: Sandbox, session: requests.Session
) -> None:
    sandbox.inject(ONEPASSWORD, Fault.on_page(3, Fault.connection_reset()))
    page = op_first(sandbox, session, limit=10).json()
    page = requests.post(
        f"{sandbox.base_url}/api/v2/signinattempts",
        json={"cursor": page["cursor"]},
        headers={"Authorization": "Bearer sandbox-token"},
        timeout=TIMEOUT,
    ).json()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(
            f"{sandbox.base_url}/api/v2/signinattempts",
            json={"cursor": page["cursor"]},
            headers={"Authorization": "Bearer sandbox-token"},
            timeout=TIMEOUT,
        )
    assert [r.page for r in sandbox.requests(ONEPASSWORD)] == [1, 2, 3]


def test_fault_wins_over_authentication(sandbox: Sandbox, session: requests.Session) -> None:
    sandbox.inject(OKTA, Fault.http_status(503))
    response = session.get(f"{sandbox.base_url}/api/v1/logs", timeout=TIMEOUT)
    assert response.status_code == 503
    assert session.get(f"{sandbox.base_url}/api/v1/logs", timeout=TIMEOUT).status_code == 401


def test_fault_requests_never_record_the_token(sandbox: Sandbox, session: requests.Session) -> None:
    okta_first(sandbox, session)
    op_first(sandbox, session)
    recorded = repr(sandbox.requests(OKTA)) + repr(sandbox.requests(ONEPASSWORD))
    assert "sandbox-token" not in recorded
