"""The sandbox's plain-Python parts without sockets: cursors, the event stream, faults, generators."""

from __future__ import annotations

import json

import pytest

from eventframework.local.sandbox import Cursor, Fault, FaultKind
from eventframework.local.sandbox.faults import FaultBook
from eventframework.local.sandbox.okta_events import OktaEventFactory
from eventframework.local.sandbox.onepassword_events import OnePasswordEventFactory
from eventframework.local.sandbox.stream import EventStream

T0 = 1_772_366_400_000  # 2026-03-01T12:00:00Z in epoch ms


def _stream(count: int) -> EventStream:
    return EventStream(lambda position, ms: {"p": position, "ms": ms}, count, T0, 1000)


def test_cursor_round_trips_and_rejects_foreign_text() -> None:
    cursor = Cursor(position=42, page=3, limit=100, until_ms=T0)
    assert Cursor.decode(cursor.encode()) == cursor
    for text in ("", "abc", "bm90IGpzb24", Cursor(1, 1, 1).encode()[:-3], "eyJwIjotMSwibiI6MSwibCI6MX0"):
        assert Cursor.decode(text) is None, text


def test_stream_select_pages_and_reports_the_next_position() -> None:
    stream = _stream(10)
    first = stream.select(0, 4)
    assert (first.positions, first.next_position, first.total) == ([0, 1, 2, 3], 4, 10)
    last = stream.select(8, 4)
    assert (last.positions, last.next_position) == ([8, 9], 10)
    assert stream.select(10, 4).positions == []


def test_stream_select_until_skips_later_events_but_advances() -> None:
    stream = _stream(5)
    stream.append([T0 - 60_000], now_ms=T0 + 10_000)  # a late event, older than all others
    bounded = stream.select(0, 10, until_ms=T0 + 2000)
    assert bounded.positions == [0, 1, 5]
    assert bounded.next_position == 6


def test_stream_ingestion_time_never_goes_backwards() -> None:
    stream = _stream(3)
    positions = stream.append([T0 - 5000, T0 - 4000], now_ms=T0 - 999_000)  # clock behind the log
    assert list(positions) == [3, 4]
    # Both were ingested "at" the previous ingestion time (T0 + 2 s), not in the past.
    assert stream.first_ingested_at_or_after(T0 + 2000) == 2
    assert stream.first_ingested_at_or_after(T0 + 2001) == 5
    assert [e["p"] for e in stream.iter_events()] == [0, 1, 2, 3, 4]


def test_fault_constructors_validate_their_arguments() -> None:
    with pytest.raises(ValueError, match="400-599"):
        Fault.http_status(200)
    with pytest.raises(ValueError, match="seconds"):
        Fault.slow(seconds=60)
    with pytest.raises(ValueError, match="at least once"):
        Fault.connection_reset(times=0)
    with pytest.raises(ValueError, match="from 1"):
        Fault.on_page(0, Fault.malformed_json())
    wrapped = Fault.on_page(3, Fault.http_status(500, times=5))
    assert (wrapped.kind, wrapped.status, wrapped.times, wrapped.page) == (FaultKind.HTTP_STATUS, 500, 5, 3)


def test_fault_book_consumes_in_injection_order_and_skips_other_pages() -> None:
    book = FaultBook()
    book.add(Fault.on_page(2, Fault.truncated_body()))
    book.add(Fault.http_status(503, times=2))
    assert book.take(page=1) == Fault.http_status(503, times=2)
    assert book.take(page=2) == Fault.on_page(2, Fault.truncated_body())
    assert book.take(page=None) == Fault.http_status(503, times=2)
    assert book.take(page=1) is None
    assert book.pending() == []


def test_okta_events_are_deterministic_and_realistically_sized() -> None:
    factory = OktaEventFactory(seed=7)
    events = [factory(position, T0) for position in range(200)]
    assert events == [OktaEventFactory(seed=7)(position, T0) for position in range(200)]
    assert events[0] != OktaEventFactory(seed=8)(0, T0)
    sizes = [len(json.dumps(event)) for event in events]
    assert min(sizes) >= 2000
    assert max(sizes) <= 3072
    assert len({event["uuid"] for event in events}) == 200
    assert {event["outcome"]["result"] for event in events} == {"SUCCESS", "FAILURE"}
    assert events[0]["published"] == "2026-03-01T12:00:00.000Z"


def test_onepassword_items_are_deterministic_and_varied() -> None:
    factory = OnePasswordEventFactory(seed=7)
    items = [factory(position, T0 + 5) for position in range(300)]
    assert items == [OnePasswordEventFactory(seed=7)(position, T0 + 5) for position in range(300)]
    assert len({item["category"] for item in items}) >= 4
    assert all(item["timestamp"].startswith("2026-03-01T12:00:00.005") for item in items)
    firewall = [item for item in items if item["category"].startswith("firewall")]
    assert firewall and all(item["details"]["value"] == item["country"] for item in firewall)
