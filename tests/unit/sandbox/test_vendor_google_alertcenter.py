"""The Alert Center API shares the sandbox host with the Reports API sources: it keeps its own
service-account key and token endpoint, asks for the apps.alerts scope, and answers only the
`createTime >= "<RFC 3339>"` filter Google documents, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from tests.support.pages import page_records

from eventframework.definitions import load_source
from eventframework.fetch import fetch_page
from eventframework.fetch.auth import TokenCache
from eventframework.fetch.auth_jwt import JwtBearerAuth
from eventframework.local.sandbox import SOURCES, Sandbox

NOW = datetime(2024, 8, 14, 10, 0, tzinfo=UTC).timestamp()
SOURCE = "google-workspace-alerts"
TOKEN = "alerts-token"
BEARER = {"Authorization": "Bearer efw-sandbox-access.alerts-token"}
GOOGLE = sorted(source for source in SOURCES if source.startswith("google-workspace-"))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    running = Sandbox(
        events=dict.fromkeys(GOOGLE, 5),
        seed=3,
        start_time=datetime.fromtimestamp(NOW - 600, tz=UTC),
        interval=timedelta(seconds=20),
        clock=lambda: NOW,
        token=TOKEN,
    ).start()
    yield running
    running.stop()


def test_alerts_pull_beside_the_reports_sources_newest_first(sandbox: Sandbox) -> None:
    definition = load_source(SOURCE)
    with requests.Session() as session:
        page = fetch_page(
            definition,
            sandbox.credentials(SOURCE),
            None,
            session=session,
            now=lambda: NOW,
            auth=JwtBearerAuth(definition.auth, TokenCache()),
        )
    records = page_records(definition, page)
    times = [record["createTime"] for record in records]
    assert len(times) == 5 and times == sorted(times, reverse=True)
    assert all(record["alertId"] and record["type"] for record in records)


def get(sandbox: Sandbox, **params: str) -> requests.Response:
    return requests.get(f"{sandbox.base_url}/v1beta1/alerts", params=params, headers=BEARER, timeout=5)


def test_the_access_token_answers_the_documented_filter(sandbox: Sandbox) -> None:
    response = get(sandbox, filter='createTime >= "2024-08-14T09:00:00Z"', orderBy="createTime desc")
    assert response.status_code == 200 and len(response.json()["alerts"]) == 5


@pytest.mark.parametrize(
    "bad",
    [
        "createTime >= 2024-08-14T09:00:00Z",
        'startTime >= "2024-08-14T09:00:00Z"',
        'createTime >= "1723626000"',
    ],
)
def test_a_filter_other_than_create_time_since_is_refused(sandbox: Sandbox, bad: str) -> None:
    response = get(sandbox, filter=bad, orderBy="createTime desc")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_only_newest_first_is_served(sandbox: Sandbox) -> None:
    response = get(sandbox, filter='createTime >= "2024-08-14T09:00:00Z"', orderBy="createTime asc")
    assert response.status_code == 400
