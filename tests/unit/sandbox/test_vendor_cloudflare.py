"""Cloudflare account audit logs as the reference describes them: the documented `since` formats,
page numbers over a fixed start, oldest first, per_page clamped to 1000, the v4 envelope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from eventframework.local.sandbox.api import ApiRequest
from eventframework.local.sandbox.stream import EventStream
from eventframework.local.sandbox.vendors.cloudflare import (
    CloudflareAuditEventFactory,
    CloudflareAuditLogsApi,
)

START_MS = int(datetime(2024, 8, 14, 9, 0, tzinfo=UTC).timestamp() * 1000)


def get(api: Any, query: dict[str, str]) -> tuple[int, Any]:
    request = ApiRequest("GET", api.path, query, b"", "Bearer t")
    reply = api.serve(request, 0.0, None)
    return reply.status, json.loads(reply.body)


def cloudflare(count: int) -> CloudflareAuditLogsApi:
    stream = EventStream(CloudflareAuditEventFactory(3), count, START_MS, 1000)
    return CloudflareAuditLogsApi(stream, "t", "http://127.0.0.1")


def test_cloudflare_pages_oldest_first_from_since_and_clamps_per_page() -> None:
    api = cloudflare(7)
    query = {"since": "2024-08-14T09:00:02Z", "direction": "asc", "per_page": "3"}
    status, first = get(api, query | {"page": "1"})
    _, last = get(api, query | {"page": "2"})
    assert status == 200 and first["success"] is True
    assert [e["when"] for e in first["result"]] == [f"2024-08-14T09:00:0{s}Z" for s in (2, 3, 4)]
    assert len(last["result"]) == 2 and last["result_info"] == {
        "page": 2,
        "per_page": 3,
        "count": 2,
        "total_count": 5,
    }
    _, clamped = get(api, query | {"per_page": "5000"})
    assert clamped["result_info"]["per_page"] == 1000


def test_cloudflare_refuses_other_since_formats_and_descending_order() -> None:
    api = cloudflare(2)
    status, body = get(api, {"since": "1723626000", "direction": "asc"})
    assert status == 400 and body["success"] is False and "since" in body["errors"][0]["message"]
    assert get(api, {"since": "2024-08-14", "direction": "asc"})[0] == 200
    assert get(api, {"since": "2024-08-14T09:00:00Z"})[0] == 400
