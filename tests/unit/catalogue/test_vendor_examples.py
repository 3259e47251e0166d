"""Every source against its vendor's own published examples, through the real code.

The sandbox and a definition are both written here, so they can agree and both be wrong; the
examples each vendor publishes in its API reference cannot. Each example under
tests/fixtures/<id>/vendor/ (provenance in that folder's README.md) goes through what production
runs: a pulled example is served verbatim on 127.0.0.1 and fetched with the definition's real
request building, pagination and records path, then validated and mapped; a pushed one goes through
the real webhook or EventBridge ingestor into a moto queue. A well-formed example must publish
every event, each a valid MozDef event carrying the vendor's own event time; a broken one (its
README note says what is wrong) must publish nothing and leave a reason that says why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import requests.adapters
from tests.support.aws import AwsResources, FakeClock, moto_stores
from tests.support.pages import page_records
from tests.support.vendor_examples import VendorExample, examples_of
from tests.unit.fetch.fetch_helpers import Loopback
from tests.unit.webhooks.webhook_world import github_headers, zoom_headers

from eventframework.definitions import SourceDefinition, list_sources, load_source
from eventframework.definitions.paths import compile_path, split_path
from eventframework.definitions.times import iso_from_epoch, parse_event_time
from eventframework.eventbridge.ingest import EventBridgeIngestor, EventBridgeServices
from eventframework.fetch import MalformedPageError, fetch_page
from eventframework.fetch.auth import NoAuth
from eventframework.process import process_records
from eventframework.publish import SqsPublisher
from eventframework.state import DeadLetterStore
from eventframework.webhooks import DeliveryStore, WebhookIngestor, WebhookRequest, WebhookServices
from eventframework.webhooks.push import PushOutlets

SOURCES = sorted(definition.id for definition in list_sources())
EXAMPLES = [example for source in SOURCES for example in examples_of(source)]
NOW = 1_733_200_000.0  # the webhook clock; pushed examples carry their own times or none
WEBHOOK_SECRET = "vendor-example-secret"
# The hosts the vendors' examples link to (where they link at all).
VENDOR_HOSTS = {"microsoft-graph-signins": "https://graph.microsoft.com"}
_GITHUB_EVENT = re.compile(r"X-GitHub-Event: (?P<name>[a-z_]+)")


def test_every_source_has_vendor_examples_with_provenance() -> None:
    missing = [source for source in SOURCES if not any(e.source == source for e in EXAMPLES)]
    assert not missing, f"no vendor examples (tests/fixtures/<id>/vendor/) for {missing}"
    assert all(example.read.year >= 2024 for example in EXAMPLES)


# Vendors that publish no well-formed example of a feed: its examples are all kept (and refused
# as broken), and the feed's README says what was looked for.
WITHOUT_WELL_FORMED_EXAMPLE = {
    "duo-telephony-log": "Duo's published telephony samples are v1 or Python literals",
    "tines-audit-logs": "every stored copy of Tines' list example is cut off inside the response",
    "onelogin-events": "OneLogin's published samples are a truncated page copy or Python literals",
    "google-workspace-alerts": "Google publishes only a list-response template with placeholders",
    "duo-activity-log": "Duo's published activity samples are Python literals or a docstring template",
    "salesforce-login-history": "Salesforce's REST guide shows only Account query results with '...'",
    "salesforce-setup-audit-trail": "Salesforce's REST guide shows only Account query results with '...'",
}


def test_every_source_has_at_least_one_well_formed_vendor_example() -> None:
    usable = {
        example.source for example in EXAMPLES if example.broken is None and example.kind != "handshake"
    }
    assert usable == set(SOURCES) - set(WITHOUT_WELL_FORMED_EXAMPLE)


# --- pulled sources -------------------------------------------------------------------------------


def page_around(definition: SourceDefinition, event_text: bytes) -> bytes:
    """One event's text, verbatim, placed in a page at the definition's records path."""
    page = b"[" + event_text + b"]"
    for key in reversed([] if definition.records_path == "$" else split_path(definition.records_path)):
        page = b"{" + json.dumps(key).encode() + b":" + page + b"}"
    return page


@pytest.fixture(scope="module")
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()


@pytest.fixture(scope="module")
def aws() -> Iterator[AwsResources]:
    with moto_stores(page_bucket="") as resources:
        yield resources


class ToLoopback(requests.adapters.HTTPAdapter):
    """Sends every request to the loopback server, whatever its host: the examples' own links name
    the vendor's real host (Graph's @odata.nextLink), which the same-origin check must accept."""

    def __init__(self, loopback: Loopback) -> None:
        super().__init__()
        self.origin = urlsplit(loopback.url)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = urlunsplit((self.origin.scheme, self.origin.netloc, parts.path, parts.query, ""))
        return super().send(request, **kwargs)


def pulled(example: VendorExample, loopback: Loopback) -> tuple[list[Any], Any]:
    """(the records the real fetch read from the example, the process result), or raises fetch's error."""
    definition = load_source(example.source)
    text = example.text()
    body = text if example.kind == "response" else page_around(definition, text)
    loopback.seen.clear()
    loopback.reply(status=200, body=body)
    session = requests.Session()
    session.mount("https://", ToLoopback(loopback))
    page = fetch_page(
        definition,
        {"base_url": VENDOR_HOSTS.get(example.source, "https://api.vendor.example")},
        None,
        session=session,
        now=lambda: NOW,
        auth=NoAuth(definition.auth),
    )
    (request,) = loopback.seen
    assert (request.method, request.path) == (definition.request.method, definition.request.path)
    records = page_records(definition, page)
    return records, process_records(definition, records, frozenset())


# --- pushed sources -------------------------------------------------------------------------------


def pushed(example: VendorExample, aws: AwsResources) -> tuple[list[Any], list[dict[str, Any]], list[str]]:
    """(the records as the mapping saw them, the published events, the dead-letter reasons)."""
    aws.reset()
    definition = load_source(example.source)
    deadletters = DeadLetterStore(aws.deadletter_table, aws.dynamodb, clock=FakeClock(NOW))
    publisher = SqsPublisher(aws.queue_url, aws.sqs, sleep=lambda seconds: None)
    deliveries = DeliveryStore(aws.state_table, aws.dynamodb, clock=FakeClock(NOW))
    body = example.text()
    outlets = PushOutlets(deliveries, deadletters, publisher)
    if definition.eventbridge is not None:
        try:
            event = json.loads(body)
        except ValueError as error:  # Lambda itself refuses an invocation payload that is not JSON
            return [], [], [f"not JSON, refused before the handler: {error}"]
        EventBridgeIngestor(EventBridgeServices(outlets, definitions=lambda: [definition])).handle(event)
        path = definition.eventbridge.records_path
        listed = event if path == "$" else compile_path(path)(event)
        records = listed if isinstance(listed, list) else [event]
    else:
        records = _send_webhook(example, definition, body, outlets)
    published = [json.loads(text) for text in aws.queue_bodies()]
    reasons = [letter.message for letter in deadletters.list(example.source)]
    return records, published, reasons


def _send_webhook(
    example: VendorExample, definition: SourceDefinition, body: bytes, outlets: PushOutlets
) -> list[Any]:
    if example.source == "zoom-webhook":
        headers = zoom_headers(WEBHOOK_SECRET, body, int(NOW))
        event_type = None
    else:
        found = _GITHUB_EVENT.search(example.notes)
        assert found, f"{example.test_id}: say 'X-GitHub-Event: <name>' in the README notes"
        event_type = found["name"]
        headers = github_headers(WEBHOOK_SECRET, body, f"delivery-{example.path.stem}", event_type)
    services = WebhookServices(
        deliveries=outlets.deliveries,
        deadletters=outlets.deadletters,
        publisher=outlets.publisher,
        load=lambda source: definition,
        secrets=lambda source: {"webhook_secret": WEBHOOK_SECRET},
        clock=FakeClock(NOW),
    )
    response = WebhookIngestor(services).handle(
        WebhookRequest.build(example.source, "POST", body, NOW, headers)
    )
    if example.kind == "handshake":
        assert response.status == 200, response
        return []
    assert response.status in (202, 400), response
    try:
        document = json.loads(body)
    except ValueError:
        return []
    return [{"payload": document, "event_type": event_type, "received_at": iso_from_epoch(NOW)}]


# --- the contract ---------------------------------------------------------------------------------


def vendor_time(definition: SourceDefinition, record: Any) -> datetime:
    return parse_event_time(compile_path(definition.event_time_path)(record))


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.test_id for example in EXAMPLES])
def test_vendor_example_runs_through_the_real_code(
    example: VendorExample, loopback: Loopback, aws: AwsResources
) -> None:
    definition = load_source(example.source)
    if definition.pulled:
        try:
            records, result = pulled(example, loopback)
        except MalformedPageError as error:
            assert example.broken, f"{example.test_id} is well formed but its page was refused: {error}"
            assert error.reason
            return
        published = result.events
        reasons = [dead.message for dead in result.dead]
    else:
        records, published, reasons = pushed(example, aws)
    if example.kind == "handshake":
        assert (published, reasons) == ([], []), "a handshake is answered, never published"
        return
    if example.broken:
        assert len(published) < len(records) or not records, f"{example.test_id} is broken but published"
        assert reasons and all(reasons), "a broken example is dead-lettered with a reason"
        return
    assert reasons == [], f"{example.test_id}: dead-lettered: {reasons}"
    assert records and len(published) == len(records)
    expected = sorted(vendor_time(definition, record) for record in records)
    assert sorted(parse_event_time(event["utctimestamp"]) for event in published) == expected
    assert all(event["source"] == example.source and event["summary"].strip() for event in published)
