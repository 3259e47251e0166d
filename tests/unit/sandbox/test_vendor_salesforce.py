"""Salesforce in the sandbox: the SOQL query's documented dateTime literal, Sforce-Query-Options
batch sizes held between 200 and 2,000, nextRecordsUrl batches over the snapshot the query took
(oldest first), Salesforce's token response and its error list, and a full pull through the real
fetch code in batches of 200."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import requests
from tests.support.pages import page_records

from eventframework.definitions import load_source
from eventframework.fetch import fetch_page
from eventframework.fetch.auth import OAuth2ClientCredentialsAuth, TokenCache
from eventframework.local.sandbox import Sandbox
from eventframework.process import process_records

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

LOGINS, SETUP = "salesforce-login-history", "salesforce-setup-audit-trail"
QUERY = "/services/data/v67.0/query"
SINCE = START.strftime("%Y-%m-%dT%H:%M:%SZ")
LOGIN_SOQL = (
    "SELECT Id, UserId, LoginTime, Status FROM LoginHistory "
    f"WHERE LoginTime >= {SINCE} ORDER BY LoginTime ASC"
)


def token(sandbox: Sandbox, source: str) -> dict[str, str]:
    credentials = sandbox.credentials(source)
    form = {"grant_type": "client_credentials", **{k: credentials[k] for k in ("client_id", "client_secret")}}
    reply = requests.post(f"{sandbox.base_url}/services/oauth2/token", data=form, timeout=TIMEOUT)
    assert reply.status_code == 200 and "expires_in" not in reply.json()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def test_login_history_batches_follow_next_records_url_oldest_first() -> None:
    with Sandbox(
        events={LOGINS: 450}, seed=3, start_time=START, clock=VirtualClock(EPOCH_START + 9000)
    ) as sb:
        headers = token(sb, LOGINS) | {"Sforce-Query-Options": "batchSize=10"}  # held at 200
        page = requests.get(
            f"{sb.base_url}{QUERY}", params={"q": LOGIN_SOQL}, headers=headers, timeout=TIMEOUT
        ).json()
        assert (page["totalSize"], page["done"], len(page["records"])) == (450, False, 200)
        seen = list(page["records"])
        while not page["done"]:
            assert page["nextRecordsUrl"].startswith(f"{QUERY}/01g")
            page = requests.get(
                f"{sb.base_url}{page['nextRecordsUrl']}", headers=headers, timeout=TIMEOUT
            ).json()
            seen += page["records"]
        assert "nextRecordsUrl" not in page
        times = [record["LoginTime"] for record in seen]
        assert len(seen) == 450 and times == sorted(times)
        assert seen[0]["attributes"]["type"] == "LoginHistory" and seen[0]["LoginTime"].endswith(".000+0000")


@pytest.mark.parametrize(
    "q",
    [
        LOGIN_SOQL.replace(SINCE, f"'{SINCE}'"),  # quoted: SOQL dateTime literals are not
        LOGIN_SOQL.replace(SINCE, START.strftime("%Y-%m-%d %H:%M:%S")),
        LOGIN_SOQL.replace("LoginHistory", "SetupAuditTrail"),
        LOGIN_SOQL.replace("Status", "Nonsense"),
    ],
)
def test_login_history_refuses_what_soql_refuses(q: str) -> None:
    with Sandbox(events={LOGINS: 3}, start_time=START, clock=VirtualClock(EPOCH_START + 60)) as sb:
        reply = requests.get(
            f"{sb.base_url}{QUERY}", params={"q": q}, headers=token(sb, LOGINS), timeout=TIMEOUT
        )
        assert reply.status_code == 400
        assert reply.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_setup_audit_trail_answers_at_its_own_route_with_the_created_by_relationship() -> None:
    with Sandbox(events={SETUP: 5}, start_time=START, clock=VirtualClock(EPOCH_START + 60)) as sb:
        q = (
            "SELECT Id, Action, CreatedDate, CreatedBy.Username FROM SetupAuditTrail "
            f"WHERE CreatedDate >= {SINCE} ORDER BY CreatedDate ASC"
        )
        page = requests.get(
            f"{sb.base_url}{QUERY}/", params={"q": q}, headers=token(sb, SETUP), timeout=TIMEOUT
        ).json()
        assert page["done"] and len(page["records"]) == 5
        assert all(record["CreatedBy"]["Username"] for record in page["records"])
        wrong = requests.get(
            f"{sb.base_url}{QUERY}/", params={"q": q}, headers={"Authorization": "Bearer x"}, timeout=TIMEOUT
        )
        assert wrong.status_code == 401 and wrong.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]


@pytest.mark.parametrize("source", [LOGINS, SETUP])
def test_full_pull_in_batches_of_200_delivers_every_record_once(source: str) -> None:
    now = EPOCH_START + 450 * 5 + 60
    with Sandbox(
        events={source: 450}, seed=8, start_time=START, interval=timedelta(seconds=5), clock=lambda: now
    ) as sb:
        definition = load_source(source)
        request = replace(
            definition.request,
            headers={**definition.request.headers, "Sforce-Query-Options": "batchSize=200"},
        )
        definition = replace(
            definition, request=request, cursor=replace(definition.cursor, initial_lookback_seconds=7200)
        )
        auth = OAuth2ClientCredentialsAuth(definition.auth, TokenCache())
        cursor, delivered, pages = None, [], 0
        with requests.Session() as session:
            while True:
                page = fetch_page(
                    definition, sb.credentials(source), cursor, session=session, now=lambda: now, auth=auth
                )
                result = process_records(definition, page_records(definition, page), set())
                assert result.dead == []
                delivered += result.events
                cursor, pages = page.next_cursor, pages + 1
                if not page.has_more:
                    break
        assert pages == 3
        assert sorted(e["details"]["source_event_id"] for e in delivered) == sorted(
            e["Id"] for e in sb.events(source)
        )
