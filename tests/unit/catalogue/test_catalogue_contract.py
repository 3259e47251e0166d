"""Contract tests: a full pull of each catalogue source through its sandbox profile.

A run is what the pull state machine does, without AWS: fetch pages from the saved cursor until
the source says there is no more, process each page (dropping ids already delivered, as the ledger
does), and keep the last cursor as the checkpoint. The sandbox checks the vendor's auth (OAuth2
token, HMAC signature, signed JWT) and implements its paging, so the definition is proven end to
end: every event at the source arrives once, as a valid MozDef event, and a second run resumes.
The same profiles serve `efw run` and `efw check-source`; tests/e2e/test_catalogue_pulls.py pulls
them through the real state machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from tests.support.catalogue import CATALOGUE as SHIPPED_CATALOGUE
from tests.support.pages import page_records

from eventframework.definitions import PaginationType, SourceDefinition, load_source
from eventframework.definitions.identity import event_id_reader
from eventframework.fetch import fetch_page
from eventframework.fetch.auth import Auth, OAuth2ClientCredentialsAuth, TokenCache
from eventframework.fetch.auth_kinds import AUTH_KINDS
from eventframework.local.sandbox import SOURCES, RequestRecord, Sandbox
from eventframework.process import process_records

NOW = datetime(2024, 8, 14, 10, 0, tzinfo=UTC).timestamp()
FIRST_EVENT = datetime.fromtimestamp(NOW - 50 * 60, tz=UTC)
MAX_PAGES = 40
CATALOGUE = sorted(SHIPPED_CATALOGUE)


@dataclass
class Run:
    cursor: str | None
    delivered: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0


def fresh_auth(definition: SourceDefinition) -> Auth:
    kind = AUTH_KINDS[definition.auth.type]
    if issubclass(kind, OAuth2ClientCredentialsAuth):
        return kind(definition.auth, TokenCache())
    return kind(definition.auth)


def pull(
    definition: SourceDefinition, credentials: dict[str, str], cursor: str | None, seen: set[str]
) -> Run:
    run = Run(cursor)
    auth = fresh_auth(definition)
    with requests.Session() as session:
        while run.pages < MAX_PAGES:
            page = fetch_page(
                definition, credentials, run.cursor, session=session, now=lambda: NOW, auth=auth
            )
            result = process_records(definition, page_records(definition, page), seen)
            assert result.dead == [], result.dead
            seen.update(key for key, _ in result.delivered)
            run.delivered += result.events
            run.cursor, run.pages = page.next_cursor, run.pages + 1
            if not page.has_more:
                return run
    raise AssertionError(f"{definition.id}: still paging after {MAX_PAGES} pages")


def small_pages(source_id: str) -> SourceDefinition:
    return replace(load_source(source_id), page_size=3)


def vendor(source_id: str, count: int) -> Sandbox:
    """The sandbox with `count` events of the source, 30 s apart from 50 minutes before NOW."""
    return Sandbox(
        events={source_id: count},
        seed=5,
        start_time=FIRST_EVENT,
        interval=timedelta(seconds=30),
        clock=lambda: NOW,
    )


def ids(events: list[dict[str, Any]], definition: SourceDefinition) -> list[str]:
    event_id = event_id_reader(definition)
    return sorted(str(event_id(event)) for event in events)


def delivered_ids(run: Run) -> list[str]:
    return sorted(str(event["details"]["source_event_id"]) for event in run.delivered)


def data_requests(sandbox: Sandbox, source_id: str) -> list[RequestRecord]:
    """The requests to the event endpoint (token requests left out)."""
    paths = SOURCES[source_id][0].data_paths()
    return [record for record in sandbox.requests(source_id) if record.path in paths]


@pytest.fixture
def running() -> Iterator[list[Sandbox]]:
    started: list[Sandbox] = []
    yield started
    for sandbox in started:
        sandbox.stop()


def start(running: list[Sandbox], source_id: str, count: int) -> Sandbox:
    sandbox = vendor(source_id, count).start()
    running.append(sandbox)
    return sandbox


@pytest.mark.parametrize("source_id", CATALOGUE)
def test_catalogue_pull_delivers_every_event_once_and_resumes(source_id: str, running: list[Sandbox]) -> None:
    sandbox = start(running, source_id, 8)
    definition = small_pages(source_id)
    credentials = sandbox.credentials(source_id)
    seen: set[str] = set()
    first = pull(definition, credentials, None, seen)
    assert delivered_ids(first) == ids(sandbox.events(source_id), definition)
    # Unless one response holds a whole window (Tailscale) or the vendor's smallest page holds them all
    # (Salesforce serves batches of 200 or more), 8 events in pages of 3 take several pages.
    api = SOURCES[source_id][0]
    if definition.pagination.type is not PaginationType.NONE and api.min_page_size <= definition.page_size:
        assert first.pages >= 3, "8 events in pages of 3 must take several pages"
    assert first.cursor
    # Arrived since, ten minutes old: within every source's window (Duo reads up to now - 2 min).
    arrivals = sandbox.ingest_late(source_id, 4, age_seconds=600)
    second = pull(definition, credentials, first.cursor, seen)
    assert delivered_ids(second) == ids(arrivals, definition)
    assert all(e["source"] == source_id for e in first.delivered + second.delivered)
    records = data_requests(sandbox, source_id)
    assert len(records) == first.pages + second.pages  # no retries, no wasted calls
    assert all(record.authorized and record.status == 200 for record in records)


def pull_recording(running: list[Sandbox], source_id: str, count: int) -> list[RequestRecord]:
    sandbox = start(running, source_id, count)
    pull(small_pages(source_id), sandbox.credentials(source_id), None, set())
    return data_requests(sandbox, source_id)


def test_catalogue_duo_signs_every_page_with_the_window_and_two_minute_delay(running: list[Sandbox]) -> None:
    requests_seen = pull_recording(running, "duo-authentication-log", 7)
    assert len(requests_seen) == 3
    assert {r.query["maxtime"] for r in requests_seen} == {str(int((NOW - 120) * 1000))}
    assert all("mintime" in r.query and r.authorized for r in requests_seen)
    assert [("next_offset" in r.query) for r in requests_seen] == [False, True, True]


def test_catalogue_auth0_continues_from_the_last_log_id_with_take(running: list[Sandbox]) -> None:
    first, *rest = pull_recording(running, "auth0-logs", 7)
    assert first.query["sort"] == "date:1" and first.query["q"].startswith("date:[2024-08-14T09:")
    assert rest and all(set(r.query) == {"from", "take"} and r.query["take"] == "3" for r in rest)


def test_catalogue_slack_sends_oldest_in_epoch_seconds_on_every_page(running: list[Sandbox]) -> None:
    requests_seen = pull_recording(running, "slack-audit-logs", 7)
    oldest = {r.query["oldest"] for r in requests_seen}
    assert oldest == {str(int(NOW - 3600 - 300))}
    assert [("cursor" in r.query) for r in requests_seen] == [False, True, True]


@pytest.mark.parametrize("source_id", CATALOGUE)
def test_catalogue_pull_with_wrong_credentials_is_refused(source_id: str, running: list[Sandbox]) -> None:
    from eventframework.fetch import CredentialsError, SourceAuthError, SourceRequestError

    sandbox = start(running, source_id, 2)
    credentials = sandbox.credentials(source_id)
    for key in ("token", "client_secret", "secret_key", "private_key", "password", "refresh_token"):
        if key in credentials:
            credentials[key] = broken(credentials[key])
    with pytest.raises((SourceAuthError, SourceRequestError, CredentialsError)):
        pull(small_pages(source_id), credentials, None, set())


def broken(value: str) -> str:
    if "PRIVATE KEY" in value:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        return other.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    return value + "-wrong"
