"""Zoom's operation logs report in the sandbox, over real HTTP: Server-to-Server OAuth tokens only for
the account_credentials grant with the account id and a Basic client header; `from`/`to` only as
yyyy-mm-dd dates; pages of at most 300 entries, newest first, continued by next_page_token until it
comes back empty."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

ZOOM = "zoom-operation-logs"
EVENTS = 320


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={ZOOM: EVENTS}, seed=3, token="vendor-token", start_time=START, clock=clock
    ) as running:
        yield running


def token_request(sandbox: Sandbox, params: dict[str, str], secret: str | None = None) -> requests.Response:
    credentials = sandbox.credentials(ZOOM)
    pair = f"{credentials['client_id']}:{secret or credentials['client_secret']}"
    basic = "Basic " + base64.b64encode(pair.encode()).decode()
    return requests.post(
        credentials["token_url"], params=params, headers={"Authorization": basic}, timeout=TIMEOUT
    )


def zoom_token(sandbox: Sandbox) -> str:
    account = sandbox.credentials(ZOOM)["account_id"]
    reply = token_request(sandbox, {"grant_type": "account_credentials", "account_id": account})
    assert reply.status_code == 200 and reply.json()["token_type"] == "bearer"
    token: str = reply.json()["access_token"]
    return token


def test_zoom_token_needs_account_credentials_grant_account_id_and_basic_client(sandbox: Sandbox) -> None:
    account = sandbox.credentials(ZOOM)["account_id"]
    assert (
        token_request(sandbox, {"grant_type": "client_credentials", "account_id": account}).status_code == 400
    )
    assert (
        token_request(sandbox, {"grant_type": "account_credentials", "account_id": "other"}).status_code
        == 400
    )
    wrong = token_request(
        sandbox, {"grant_type": "account_credentials", "account_id": account}, secret="nope"
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    in_body = requests.post(
        sandbox.credentials(ZOOM)["token_url"],
        data={"grant_type": "account_credentials", "account_id": account},
        headers={"Authorization": "Basic " + base64.b64encode(b"efw-sandbox-client:vendor-token").decode()},
        timeout=TIMEOUT,
    )
    assert in_body.status_code == 200


def zoom_get(sandbox: Sandbox, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{sandbox.base_url}/v2/report/operationlogs",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )


def test_zoom_dates_are_yyyy_mm_dd_and_pages_run_newest_first_to_an_empty_token(sandbox: Sandbox) -> None:
    token = zoom_token(sandbox)
    day = START.strftime("%Y-%m-%d")
    bad = zoom_get(sandbox, token, **{"from": START.isoformat(), "to": day})
    assert bad.status_code == 400 and "code" in bad.json()
    first = zoom_get(sandbox, token, **{"from": day, "to": day, "page_size": "1000"}).json()
    assert first["page_size"] == 300 and len(first["operation_logs"]) == 300
    times = [entry["time"] for entry in first["operation_logs"]]
    assert times == sorted(times, reverse=True)
    rest = zoom_get(
        sandbox,
        token,
        **{"from": day, "to": day, "page_size": "300", "next_page_token": first["next_page_token"]},
    ).json()
    assert len(rest["operation_logs"]) == EVENTS - 300 and rest["next_page_token"] == ""
    assert zoom_get(sandbox, "forged", **{"from": day, "to": day}).status_code == 401
