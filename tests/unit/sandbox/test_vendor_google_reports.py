"""The Google Workspace Reports API sources beyond login share one sandbox host with it: each keeps its
own service-account key and token endpoint, so all of them authenticate and pull side by side, and each
serves only its own application's activities."""

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
from eventframework.local.sandbox.vendors.google_reports import PROFILES

NOW = datetime(2024, 8, 14, 10, 0, tzinfo=UTC).timestamp()
GOOGLE = sorted([*PROFILES, "google-workspace-login"])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    running = Sandbox(
        events=dict.fromkeys(GOOGLE, 5),
        seed=3,
        start_time=datetime.fromtimestamp(NOW - 600, tz=UTC),
        interval=timedelta(seconds=20),
        clock=lambda: NOW,
    ).start()
    yield running
    running.stop()


def test_every_google_source_has_its_own_token_endpoint() -> None:
    # Side routes are keyed by path: two Google APIs on one token path would answer with one key.
    google = [source for source in SOURCES if source.startswith("google-workspace-")]
    token_paths = [SOURCES[source][0].token_path for source in google]  # type: ignore[attr-defined]
    assert len(set(token_paths)) == len(google) >= len(GOOGLE) + 1, "the Reports sources and the Alert Center"


def test_all_google_sources_pull_side_by_side_each_its_own_application(sandbox: Sandbox) -> None:
    with requests.Session() as session:
        for source in GOOGLE:
            definition = load_source(source)
            page = fetch_page(
                definition,
                sandbox.credentials(source),
                None,
                session=session,
                now=lambda: NOW,
                auth=JwtBearerAuth(definition.auth, TokenCache()),
            )
            application = source.removeprefix("google-workspace-")
            records = page_records(definition, page)
            assert len(records) == 5
            assert {record["id"]["applicationName"] for record in records} == {application}
            assert all(
                record["kind"] == "admin#reports#activity" and record["events"][0]["name"]
                for record in records
                if "events" in record
            )
