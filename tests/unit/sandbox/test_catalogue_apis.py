"""The catalogue's sandbox profiles over real HTTP: token endpoints and their refusals, each vendor's
401/400/429 shapes and rate-limit headers, snapshot page tokens, foreign next links, and the
credentials `Sandbox.credentials` hands out in each auth kind's shape."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest
import requests

from eventframework.fetch.auth_jwt import GRANT_TYPE, rs256_jwt
from eventframework.local.sandbox import Fault, Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

AUTH0, DUO, GOOGLE = "auth0-logs", "duo-authentication-log", "google-workspace-login"
GITHUB, SLACK, GRAPH = "github-audit-log", "slack-audit-logs", "microsoft-graph-signins"
GOOGLE_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
EVENTS = 30


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(EPOCH_START + 3600)


@pytest.fixture
def catalogue(clock: VirtualClock) -> Iterator[Sandbox]:
    counts = dict.fromkeys((AUTH0, DUO, GOOGLE, GITHUB, SLACK, GRAPH), EVENTS)
    with Sandbox(events=counts, seed=3, token="catalogue-token", start_time=START, clock=clock) as running:
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client_token(sandbox: Sandbox, source: str, path: str, **extra: str) -> requests.Response:
    credentials = sandbox.credentials(source)
    form = {"grant_type": "client_credentials", "client_id": credentials["client_id"]}
    form |= {"client_secret": credentials["client_secret"], **extra}
    return requests.post(f"{sandbox.base_url}{path}", data=form, timeout=TIMEOUT)


def test_catalogue_credentials_follow_each_auth_kind(catalogue: Sandbox) -> None:
    keys = {
        source: set(catalogue.credentials(source)) for source in (AUTH0, DUO, GOOGLE, GITHUB, SLACK, GRAPH)
    }
    assert keys[AUTH0] == keys[GRAPH] == {"base_url", "client_id", "client_secret"}
    assert keys[DUO] == {"base_url", "integration_key", "secret_key"}
    assert keys[GOOGLE] == {"base_url", "client_email", "private_key", "token_uri", "subject"}
    assert keys[GITHUB] == keys[SLACK] == {"base_url", "token"}


def test_catalogue_auth0_token_needs_the_secret_and_the_tenant_audience(catalogue: Sandbox) -> None:
    audience = f"{catalogue.base_url}/api/v2/"
    granted = client_token(catalogue, AUTH0, "/oauth/token", audience=audience)
    assert granted.status_code == 200 and granted.json()["token_type"] == "Bearer"
    assert (
        client_token(catalogue, AUTH0, "/oauth/token", audience="https://elsewhere/api/v2/").status_code
        == 403
    )
    assert (
        client_token(catalogue, AUTH0, "/oauth/token", audience=audience, client_secret="x").status_code
        == 401
    )
    logs = requests.get(
        f"{catalogue.base_url}/api/v2/logs",
        params={"q": f"date:[{START.strftime('%Y-%m-%dT%H:%M:%S')} TO *]", "sort": "date:1", "per_page": 10},
        headers=bearer(granted.json()["access_token"]),
        timeout=TIMEOUT,
    )
    assert [e["log_id"] for e in logs.json()] == [e["log_id"] for e in catalogue.events(AUTH0)[:10]]
    token_records = [r for r in catalogue.requests(AUTH0) if r.path == "/oauth/token"]
    assert len(token_records) == 3 and all(r.body is None for r in token_records)  # secrets not kept


def test_catalogue_auth0_from_continues_after_that_log_id_and_refuses_foreign_ids(catalogue: Sandbox) -> None:
    token = client_token(catalogue, AUTH0, "/oauth/token", audience=f"{catalogue.base_url}/api/v2/")
    headers = bearer(token.json()["access_token"])
    events = catalogue.events(AUTH0)
    url = f"{catalogue.base_url}/api/v2/logs"
    following = requests.get(
        url, params={"from": events[4]["log_id"], "take": 3}, headers=headers, timeout=TIMEOUT
    )
    assert [e["log_id"] for e in following.json()] == [e["log_id"] for e in events[5:8]]
    foreign = requests.get(url, params={"from": "not-an-id"}, headers=headers, timeout=TIMEOUT)
    assert foreign.status_code == 400 and foreign.json()["error"] == "Bad Request"


def test_catalogue_graph_token_needs_a_default_scope(catalogue: Sandbox) -> None:
    path = "/oauth2/v2.0/token"
    assert client_token(catalogue, GRAPH, path, scope="https://graph.example/.default").status_code == 200
    refused = client_token(catalogue, GRAPH, path, scope="AuditLog.Read.All")
    assert refused.status_code == 403 and refused.json()["error"] == "access_denied"


def google_assertion(sandbox: Sandbox, **changes: object) -> str:
    credentials = sandbox.credentials(GOOGLE)
    now = int(time.time())
    claims = {
        "iss": credentials["client_email"],
        "scope": GOOGLE_SCOPE,
        "aud": credentials["token_uri"],
        "sub": credentials["subject"],
        "iat": now,
        "exp": now + 3600,
    } | changes
    return rs256_jwt(claims, credentials["private_key"])


def google_token(sandbox: Sandbox, assertion: str) -> requests.Response:
    form = {"grant_type": GRANT_TYPE, "assertion": assertion}
    return requests.post(f"{sandbox.base_url}/token", data=form, timeout=TIMEOUT)


def test_catalogue_google_token_verifies_the_signed_assertion_and_its_claims(catalogue: Sandbox) -> None:
    assert google_token(catalogue, google_assertion(catalogue)).status_code == 200
    for changes in ({"sub": ""}, {"scope": "openid"}, {"aud": "https://elsewhere/token"}, {"exp": 0}):
        refused = google_token(catalogue, google_assertion(catalogue, **changes))
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", changes
    header, _claims, signature = google_assertion(catalogue).split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"sub": "root"}).encode()).decode().rstrip("=")
    assert google_token(catalogue, f"{header}.{forged}.{signature}").json()["error_description"] == (
        "Invalid JWT Signature."
    )


def test_catalogue_google_pages_newest_first_over_the_slice_it_started_on(catalogue: Sandbox) -> None:
    access = google_token(catalogue, google_assertion(catalogue)).json()["access_token"]
    url = f"{catalogue.base_url}/admin/reports/v1/activity/users/all/applications/login"
    query = {"startTime": START.isoformat(), "maxResults": "12"}
    first = requests.get(url, params=query, headers=bearer(access), timeout=TIMEOUT).json()
    catalogue.ingest(GOOGLE, 5)  # arrives mid-listing: not part of this listing's pages
    seen = list(first["items"])
    page = first
    while "nextPageToken" in page:
        page = requests.get(
            url, params=query | {"pageToken": page["nextPageToken"]}, headers=bearer(access), timeout=TIMEOUT
        ).json()
        seen += page["items"]
    expected = [e["id"]["uniqueQualifier"] for e in reversed(catalogue.events(GOOGLE)[:EVENTS])]
    assert [e["id"]["uniqueQualifier"] for e in seen] == expected


def test_catalogue_duo_refuses_an_unsigned_request_with_its_error_code(catalogue: Sandbox) -> None:
    url = f"{catalogue.base_url}/admin/v2/logs/authentication"
    unsigned = requests.get(url, params={"mintime": 0, "maxtime": 1}, timeout=TIMEOUT)
    assert unsigned.status_code == 401
    assert unsigned.json() == {
        "stat": "FAIL",
        "code": 40103,
        "message": "Invalid signature in request credentials",
    }
    assert catalogue.requests(DUO)[-1].authorized is False


@pytest.mark.parametrize(
    ("source", "header", "value"),
    [(AUTH0, "X-RateLimit-Reset", str(int(EPOCH_START + 3600) + 30)), (GITHUB, "X-RateLimit-Remaining", "0")],
)
def test_catalogue_rate_limit_replies_carry_the_vendors_headers(
    catalogue: Sandbox, source: str, header: str, value: str
) -> None:
    catalogue.inject(source, Fault.http_status(429, rate_limit_reset_in=30, retry_after=7))
    path = {AUTH0: "/api/v2/logs", GITHUB: "/orgs/example-org/audit-log"}[source]
    reply = requests.get(f"{catalogue.base_url}{path}", timeout=TIMEOUT)
    assert reply.status_code == 429
    assert reply.headers[header] == value and reply.headers["Retry-After"] == "7"


def test_catalogue_slack_refuses_a_cursor_it_did_not_issue(catalogue: Sandbox) -> None:
    token = catalogue.credentials(SLACK)["token"]
    url = f"{catalogue.base_url}/audit/v1/logs"
    reply = requests.get(
        url, params={"oldest": 0, "cursor": "bm90LW91cnM"}, headers=bearer(token), timeout=TIMEOUT
    )
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_arguments"
    wrong = requests.get(url, params={"oldest": 0}, headers=bearer("other"), timeout=TIMEOUT)
    assert wrong.status_code == 401 and wrong.json() == {"ok": False, "error": "invalid_auth"}


def test_catalogue_next_links_can_point_at_a_foreign_host(catalogue: Sandbox) -> None:
    token = catalogue.credentials(GITHUB)["token"]
    catalogue.inject(GITHUB, Fault.foreign_next_link("evil.example"))
    query = {"order": "asc", "phrase": f"created:>={START.isoformat()}", "per_page": 10}
    reply = requests.get(
        f"{catalogue.base_url}/orgs/example-org/audit-log",
        params=query,
        headers=bearer(token),
        timeout=TIMEOUT,
    )
    assert reply.links["next"]["url"].startswith("https://evil.example/orgs/example-org/audit-log?")
    assert "phrase" not in reply.links["next"]["url"] and "after=" in reply.links["next"]["url"]
