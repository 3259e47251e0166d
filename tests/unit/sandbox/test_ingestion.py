"""Events ingested while the server runs: new and late events land after existing cursors."""

from __future__ import annotations

import threading

import requests

from eventframework.local.sandbox import Sandbox

from .support import OKTA, ONEPASSWORD, VirtualClock, okta_first, okta_next, op_first, op_post


def _drain_okta(session: requests.Session, response: requests.Response) -> requests.Response:
    """Follow next links until the empty page; returns that empty page (whose link is the checkpoint)."""
    while response.json():
        response = okta_next(session, response)
    return response


def test_ingest_late_events_appear_after_the_current_okta_cursor(
    sandbox: Sandbox, session: requests.Session, clock: VirtualClock
) -> None:
    fresh = sandbox.ingest(OKTA, count=5)
    caught_up = _drain_okta(session, okta_first(sandbox, session, limit=1000))
    clock.advance(60)
    late = sandbox.ingest_late(OKTA, count=10, age_seconds=120)
    resumed = okta_next(session, caught_up).json()
    assert [e["uuid"] for e in resumed] == [e["uuid"] for e in late]
    # Older than events already delivered, yet still after the cursor: ingestion order rules.
    assert all(e["published"] < fresh[0]["published"] for e in late)


def test_ingest_late_events_appear_after_the_current_onepassword_cursor(
    sandbox: Sandbox, session: requests.Session
) -> None:
    page = op_first(sandbox, session, limit=1000).json()
    late = sandbox.ingest_late(ONEPASSWORD, count=4, age_seconds=3000)
    resumed = op_post(sandbox, session, {"cursor": page["cursor"]}).json()
    assert [i["uuid"] for i in resumed["items"]] == [i["uuid"] for i in late]
    assert resumed["has_more"] is False


def test_ingest_appends_new_events_in_time_order(sandbox: Sandbox, clock: VirtualClock) -> None:
    added = sandbox.ingest(OKTA, count=5)
    everything = sandbox.events(OKTA)
    assert everything[-5:] == added
    published = [e["published"] for e in everything]
    assert published == sorted(published)
    assert sandbox.event_count(OKTA) == 255


def test_ingest_is_thread_safe_while_serving(sandbox: Sandbox, session: requests.Session) -> None:
    def add() -> None:
        for _ in range(20):
            sandbox.ingest(OKTA, count=5)

    writers = [threading.Thread(target=add) for _ in range(4)]
    for writer in writers:
        writer.start()
    pages = [okta_first(sandbox, session, limit=1000)]
    for writer in writers:
        writer.join()
    pages.append(_drain_okta(session, okta_next(session, pages[0])))
    uuids = [e["uuid"] for e in sandbox.events(OKTA)]
    assert len(uuids) == len(set(uuids)) == 250 + 4 * 20 * 5


def test_ingest_ground_truth_is_deterministic_for_a_seed(clock: VirtualClock) -> None:
    def build() -> list[str]:
        with Sandbox(events={OKTA: 30}, seed=11, token="t", clock=clock) as running:
            running.ingest_late(OKTA, count=3, age_seconds=10)
            return [e["uuid"] for e in running.events(OKTA)]

    first, second = build(), build()
    assert first == second
    with Sandbox(events={OKTA: 30}, seed=12, token="t", clock=clock) as other:
        assert [e["uuid"] for e in other.events(OKTA)] != first[:30]
