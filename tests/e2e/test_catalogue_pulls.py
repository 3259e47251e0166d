"""Contract tests of the catalogue's pull sources: each pulled end to end through the sandbox's
vendor profile, the real pull state machine, the real handlers and the embedded emulator.

The sandbox checks each vendor's auth (OAuth2 client credentials, Duo's HMAC signature, Google's
signed JWT assertion, bearer tokens) and pages as the vendor does, so a passing run proves the
definition, its auth kind and its pagination kind together: every event at the source lands on the
queue exactly once as a MozDef event. (Resuming from a checkpoint is covered per source by
tests/unit/catalogue/test_catalogue_contract.py, without the engine's fixed cost per run.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eventframework.definitions import PaginationType, load_source
from eventframework.local.sandbox import SOURCES, Fault, Sandbox
from tests.support.catalogue import CATALOGUE

from .harness import PullWorld, make_world

pytestmark = pytest.mark.e2e

EVENTS = 150
PAGE_SIZE = 40
# The history ends five minutes ago: Duo keeps maxtime two minutes behind now, as Duo recommends.
HISTORY_END = timedelta(minutes=5)
INTERVAL = timedelta(seconds=10)


def catalogue_world_of(source: str, root: Path) -> tuple[PullWorld, Sandbox]:
    """A world whose `EVENTS` events of `source` end `HISTORY_END` ago, pulled in small pages."""
    start = datetime.now(UTC) - HISTORY_END - EVENTS * INTERVAL
    sandbox = Sandbox(events={source: EVENTS}, seed=13, start_time=start, interval=INTERVAL)
    world, _ = make_world(root, {source: EVENTS}, sandbox=sandbox)
    world.tune_source(source, lambda definition: definition.update(page_size=PAGE_SIZE))
    return world, sandbox


@pytest.fixture(params=CATALOGUE)
def catalogue_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, PullWorld]]:
    world, sandbox = catalogue_world_of(request.param, tmp_path)
    with sandbox:
        yield request.param, world


def test_catalogue_pull_delivers_every_event_once_as_mozdef(catalogue_world: tuple[str, PullWorld]) -> None:
    source, world = catalogue_world
    summary = world.run(source)
    assert summary.status == "SUCCEEDED", (summary.error, summary.cause)
    assert summary.delivered == EVENTS
    paged = load_source(source).pagination.type is not PaginationType.NONE  # one response, one window
    if paged and SOURCES[source][0].min_page_size <= PAGE_SIZE:  # Salesforce's batches are 200+
        assert summary.totals["pages"] >= EVENTS // PAGE_SIZE, "small pages must take several requests"
    assert summary.dead_letters_total == 0
    assert summary.checkpoint
    world.assert_each_event_once(source)
    events = world.delivered(source)
    assert {event["source"] for event in events} == {source}
    assert all(event["summary"].strip() for event in events)
    # One event in 11 lacks an optional field, as vendors' events do (sandbox/vendor_shapes.py):
    # now and then that is the address, and the event must publish all the same.
    if "sourceipaddress" in load_source(source).mapping.details:
        with_address = [event for event in events if event["details"].get("sourceipaddress")]
        assert len(with_address) >= 0.9 * len(events)
    records = world.sandbox.requests(source)
    assert all(record.authorized and record.status == 200 for record in records), (
        "every request authenticated"
    )


# GitHub answers its rate limits with 403 as well as 429 (x-ratelimit-remaining: 0 and an epoch
# x-ratelimit-reset, or retry-after): docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
GITHUB_403_RATE_LIMITS = {
    "primary-remaining-0": Fault.on_page(2, Fault.http_status(403, times=1, rate_limit_reset_in=2)),
    "secondary-retry-after": Fault.on_page(2, Fault.http_status(403, times=1, retry_after=2)),
}


@pytest.mark.parametrize("fault", GITHUB_403_RATE_LIMITS.values(), ids=GITHUB_403_RATE_LIMITS.keys())
def test_catalogue_github_403_rate_limit_is_waited_out_not_an_auth_failure(
    tmp_path: Path, fault: Fault
) -> None:
    world, sandbox = catalogue_world_of("github-audit-log", tmp_path)
    with sandbox:
        sandbox.inject("github-audit-log", fault)
        summary = world.run("github-audit-log")
        statuses = [record.status for record in sandbox.requests("github-audit-log")]
    assert summary.status == "SUCCEEDED", (summary.error, summary.cause)
    assert statuses.count(403) == 1, "the 403 was served once and then retried"
    assert summary.delivered == EVENTS
    world.assert_each_event_once("github-audit-log")
