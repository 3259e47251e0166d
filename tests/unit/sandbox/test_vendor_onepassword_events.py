"""1Password audit events and item usages in the sandbox: v2 paths, reset cursors with RFC 3339
times and a 1-1000 limit, cursors and has_more as for sign-in attempts, and item shapes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, OP_AUTH, START, TIMEOUT, TOKEN, VirtualClock

AUDIT, USAGE = "onepassword-audit-events", "onepassword-item-usages"
PATHS = {AUDIT: "/api/v2/auditevents", USAGE: "/api/v2/itemusages"}


@pytest.fixture
def onepassword() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(events={AUDIT: 25, USAGE: 25}, seed=6, token=TOKEN, start_time=START, clock=clock) as sb:
        yield sb


def post(sandbox: Sandbox, source: str, body: object) -> requests.Response:
    return requests.post(f"{sandbox.base_url}{PATHS[source]}", json=body, headers=OP_AUTH, timeout=TIMEOUT)


@pytest.mark.parametrize("source", [AUDIT, USAGE])
def test_onepassword_events_page_with_cursors_until_has_more_is_false(
    onepassword: Sandbox, source: str
) -> None:
    page = post(onepassword, source, {"limit": 10, "start_time": START.isoformat()}).json()
    seen = list(page["items"])
    while page["has_more"]:
        page = post(onepassword, source, {"cursor": page["cursor"]}).json()
        seen += page["items"]
    assert [item["uuid"] for item in seen] == [item["uuid"] for item in onepassword.events(source)]
    assert page["cursor"] and all(len(item["uuid"]) == 26 for item in seen)


@pytest.mark.parametrize("source", [AUDIT, USAGE])
def test_onepassword_events_reset_cursor_times_are_rfc3339(onepassword: Sandbox, source: str) -> None:
    for wrong in ({"start_time": "2026-03-01"}, {"start_time": "2026-03-01T12:00:00"}, {"end_time": 1}):
        refused = post(onepassword, source, {"limit": 10, **wrong})
        assert refused.status_code == 400 and "RFC 3339" in refused.json()["Error"]["Message"], wrong
    assert post(onepassword, source, {"limit": 1001, "start_time": START.isoformat()}).status_code == 400
    assert (
        post(onepassword, source, {"limit": 5, "start_time": "2026-03-01T12:00:00.000Z"}).status_code == 200
    )


def test_onepassword_audit_events_name_the_actor_object_and_session(onepassword: Sandbox) -> None:
    events = onepassword.events(AUDIT)
    assert {"uuid", "timestamp", "actor_details", "action", "object_type", "session"} <= set().union(*events)
    member_objects = [event for event in events if event.get("object_type") == "user"]
    assert all(event["object_details"]["email"] for event in member_objects)


def test_onepassword_item_usages_use_the_documented_actions(onepassword: Sandbox) -> None:
    documented = {
        "enter-item-edit-mode", "export", "fill", "other", "reveal", "secure-copy",
        "select-sso-provider", "server-create", "server-fetch", "server-update", "share",
    }  # fmt: skip
    onepassword.ingest(USAGE, 200)
    actions = {event["action"] for event in onepassword.events(USAGE) if "action" in event}
    assert actions <= documented and len(actions) >= 6
