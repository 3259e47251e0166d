"""Contract tests: a full pull of each catalogue source through a vendor-faithful loopback stub.

A run is what the pull state machine does, without AWS: fetch pages from the saved cursor until
the source says there is no more, process each page (dropping ids already delivered, as the ledger
does), and keep the last cursor as the checkpoint. The stub checks the vendor's auth (OAuth2 token,
HMAC signature, signed JWT) and implements its paging, so the definition is proven end to end:
every event at the source arrives once, as a valid MozDef event, and a second run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from loopback import serving
from vendors import VENDORS, Vendor

from eventframework.definitions import SourceDefinition, load_source
from eventframework.fetch import fetch_page
from eventframework.fetch.auth import Auth, OAuth2ClientCredentialsAuth, TokenCache
from eventframework.fetch.auth_kinds import AUTH_KINDS
from eventframework.process import process_records

NOW = datetime(2024, 8, 14, 10, 0, tzinfo=UTC).timestamp()
FIRST_EVENT_MS = int((NOW - 50 * 60) * 1000)
MAX_PAGES = 40


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
            result = process_records(definition, page.records, seen)
            assert result.dead == [], result.dead
            seen.update(key for key, _ in result.delivered)
            run.delivered += result.events
            run.cursor, run.pages = page.next_cursor, run.pages + 1
            if not page.has_more:
                return run
    raise AssertionError(f"{definition.id}: still paging after {MAX_PAGES} pages")


def small_pages(source_id: str) -> SourceDefinition:
    return replace(load_source(source_id), page_size=3)


@pytest.mark.parametrize("source_id", sorted(VENDORS))
def test_catalogue_pull_delivers_every_event_once_and_resumes(source_id: str) -> None:
    vendor: Vendor = VENDORS[source_id]()
    definition = small_pages(source_id)
    first_batch = vendor.add(8, FIRST_EVENT_MS)
    with serving(vendor.routes()) as stub:
        credentials = vendor.credentials(stub.url)
        seen: set[str] = set()
        first = pull(definition, credentials, None, seen)
        assert sorted(e["details"]["source_event_id"] for e in first.delivered) == sorted(
            vendor.id_of(e) for e in first_batch
        )
        assert first.pages >= 3, "8 events in pages of 3 must take several pages"
        assert first.cursor
        second_batch = vendor.add(4, vendor.ms_of(first_batch[-1]) + 60_000)
        second = pull(definition, credentials, first.cursor, seen)
    assert sorted(e["details"]["source_event_id"] for e in second.delivered) == sorted(
        vendor.id_of(e) for e in second_batch
    )
    assert all(e["source"] == source_id for e in first.delivered + second.delivered)
    data_requests = [r for r in stub.seen if r.method == "GET"]
    assert len(data_requests) == first.pages + second.pages  # no retries, no wasted calls


def pull_recording(source_id: str, count: int) -> list[Any]:
    vendor = VENDORS[source_id]()
    vendor.add(count, FIRST_EVENT_MS)
    with serving(vendor.routes()) as stub:
        pull(small_pages(source_id), vendor.credentials(stub.url), None, set())
    return [r for r in stub.seen if r.method == "GET"]


def test_catalogue_duo_signs_every_page_with_the_window_and_two_minute_delay() -> None:
    requests_seen = pull_recording("duo-authentication-log", 7)
    assert len(requests_seen) == 3
    assert {r.query["maxtime"] for r in requests_seen} == {str(int((NOW - 120) * 1000))}
    assert all("mintime" in r.query and r.headers.get("date") for r in requests_seen)
    assert [("next_offset" in r.query) for r in requests_seen] == [False, True, True]


def test_catalogue_auth0_continues_from_the_last_log_id_with_take() -> None:
    first, *rest = pull_recording("auth0-logs", 7)
    assert first.query["sort"] == "date:1" and first.query["q"].startswith("date:[2024-08-14T09:")
    assert rest and all(set(r.query) == {"from", "take"} and r.query["take"] == "3" for r in rest)


def test_catalogue_slack_sends_oldest_in_epoch_seconds_on_every_page() -> None:
    requests_seen = pull_recording("slack-audit-logs", 7)
    oldest = {r.query["oldest"] for r in requests_seen}
    assert oldest == {str(int(NOW - 3600 - 300))}
    assert [("cursor" in r.query) for r in requests_seen] == [False, True, True]


@pytest.mark.parametrize("source_id", sorted(VENDORS))
def test_catalogue_pull_with_wrong_credentials_is_refused(source_id: str) -> None:
    from eventframework.fetch import CredentialsError, SourceAuthError, SourceRequestError

    vendor = VENDORS[source_id]()
    vendor.add(2, FIRST_EVENT_MS)
    definition = small_pages(source_id)
    with serving(vendor.routes()) as stub:
        credentials = vendor.credentials(stub.url)
        for key in ("token", "client_secret", "secret_key", "private_key"):
            if key in credentials:
                credentials[key] = broken(credentials[key])
        with pytest.raises((SourceAuthError, SourceRequestError, CredentialsError)):
            pull(definition, credentials, None, set())


def broken(value: str) -> str:
    if "PRIVATE KEY" in value:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        return other.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    return value + "-wrong"
