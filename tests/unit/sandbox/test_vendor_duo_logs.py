"""Duo's administrator log v1 profile (written, not registered): epoch-second mintime, the earliest
entries at or after it, and the reason it is not registered: a full page of one second repeats."""

from __future__ import annotations

import json

import pytest

from eventframework.local.sandbox.api import ApiRequest
from eventframework.local.sandbox.stream import EventStream
from eventframework.local.sandbox.vendors.duo_logs import DuoAdministratorEventFactory, DuoAdministratorLogApi

START_MS = 1_723_626_000_000


def api(count: int, interval_ms: int) -> DuoAdministratorLogApi:
    stream = EventStream(DuoAdministratorEventFactory(3), count, START_MS, interval_ms)
    return DuoAdministratorLogApi(stream, "secret", "http://127.0.0.1")


def entries(duo: DuoAdministratorLogApi, **query: str) -> list[dict[str, object]]:
    reply = duo.serve(ApiRequest("GET", duo.path, query, b"", None), START_MS / 1000, None)
    assert reply.status == 200, reply.body
    document = json.loads(reply.body)
    assert document["stat"] == "OK"
    found: list[dict[str, object]] = document["response"]
    return found


def test_duo_administrator_log_lists_the_earliest_entries_from_mintime_in_seconds() -> None:
    duo = api(5, 30_000)
    listed = entries(duo, mintime=str(START_MS // 1000 + 30), limit="2")
    assert [entry["timestamp"] for entry in listed] == [START_MS // 1000 + 30, START_MS // 1000 + 60]
    assert {"action", "description", "object", "timestamp", "username"} <= set(listed[0])


@pytest.mark.parametrize("mintime", [str(START_MS), "2024-08-14"])
def test_duo_administrator_log_refuses_a_mintime_not_in_epoch_seconds(mintime: str) -> None:
    reply = api(1, 1000).serve(
        ApiRequest("GET", DuoAdministratorLogApi.path, {"mintime": mintime}, b"", None), 0, None
    )
    assert reply.status == 400 and json.loads(reply.body)["code"] == 40002


def test_duo_administrator_log_repeats_a_full_page_whose_entries_share_one_second() -> None:
    duo = api(4, 1)  # four entries within one millisecond of each other: one second
    first = entries(duo, mintime=str(START_MS // 1000), limit="3")
    again = entries(duo, mintime=str(first[-1]["timestamp"]), limit="3")
    assert again == first
