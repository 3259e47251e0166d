"""The 1Password sign-in attempts endpoint over real HTTP: cursors, has_more, items, auth."""

from __future__ import annotations

import requests

from eventframework.local.sandbox import Sandbox
from eventframework.local.sandbox.vendor_shapes import ABSENT_FIELD_EVERY

from .support import ONEPASSWORD, START, TIMEOUT, op_first, op_post

CATEGORIES = {
    "success", "credentials_failed", "mfa_failed", "modern_version_failed", "firewall_failed",
    "firewall_reported_success", "sso_failed",
}  # fmt: skip


def test_onepassword_pagination_walks_all_events_once_in_order(
    sandbox: Sandbox, session: requests.Session
) -> None:
    page = op_first(sandbox, session, limit=50).json()
    seen = list(page["items"])
    while page["has_more"]:
        page = op_post(sandbox, session, {"cursor": page["cursor"]}).json()
        seen.extend(page["items"])
    assert [i["uuid"] for i in seen] == [i["uuid"] for i in sandbox.events(ONEPASSWORD)]
    assert len(seen) == 120
    assert page["has_more"] is False
    assert len(page["items"]) == 20


def test_onepassword_cursor_at_the_end_returns_empty_then_new_events(
    sandbox: Sandbox, session: requests.Session
) -> None:
    page = op_first(sandbox, session, limit=1000).json()
    assert page["has_more"] is False
    empty = op_post(sandbox, session, {"cursor": page["cursor"]}).json()
    assert (empty["items"], empty["has_more"]) == ([], False)
    added = sandbox.ingest(ONEPASSWORD, count=3)
    later = op_post(sandbox, session, {"cursor": empty["cursor"]}).json()
    assert [i["uuid"] for i in later["items"]] == [i["uuid"] for i in added]


def test_onepassword_items_are_shaped_like_sign_in_attempts(
    sandbox: Sandbox, session: requests.Session
) -> None:
    items = op_first(sandbox, session, limit=100).json()["items"]
    for position, item in enumerate(items):
        if position % ABSENT_FIELD_EVERY == 5:
            continue  # an item without one optional field (test_vendor_shapes.py)
        assert item["category"] in CATEGORIES
        assert set(item["target_user"]) == {"uuid", "name", "email", "user_type", "user_account_uuid"}
        assert item["account_uuid"] == item["target_user"]["user_account_uuid"]
        assert {"app_name", "app_version", "platform_name", "platform_version", "os_name",
                "os_version", "ip_address"} == set(item["client"])  # fmt: skip
        assert {"country", "region", "city", "latitude", "longitude"} == set(item["location"])
        assert item["timestamp"].endswith("Z")
        assert len(item["uuid"]) == 26
    assert items[0]["timestamp"].startswith(START.strftime("%Y-%m-%dT%H:%M:%S."))


def test_onepassword_refuses_requests_without_the_token(sandbox: Sandbox, session: requests.Session) -> None:
    url = f"{sandbox.base_url}/api/v2/signinattempts"
    body = {"limit": 10, "start_time": START.isoformat()}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "SSWS sandbox-token"}):
        response = session.post(url, json=body, headers=headers, timeout=TIMEOUT)
        assert response.status_code == 401
        assert response.json() == {"Error": {"Message": "Unauthorized"}}


def test_onepassword_rejects_bad_bodies(sandbox: Sandbox, session: requests.Session) -> None:
    bodies: list[object] = [{"cursor": "not-ours"}, {"limit": 0}, {"limit": True}, {"start_time": "soon"}, []]
    for body in bodies:
        response = op_post(sandbox, session, body)
        assert response.status_code == 400, body
        assert response.json()["Error"]["Message"].startswith("Bad Request")


def test_onepassword_end_time_bounds_the_query(sandbox: Sandbox, session: requests.Session) -> None:
    body = {"limit": 25, "start_time": START.isoformat(), "end_time": START.replace(second=40).isoformat()}
    first = op_post(sandbox, session, body).json()
    second = op_post(sandbox, session, {"cursor": first["cursor"]}).json()
    assert len(first["items"]) == 25
    assert len(second["items"]) == 15
