"""HCP Terraform audit trail as the reference describes it: `since` as YYYY-MM-DDTHH:MM:SS.SSSZ,
page[number]/page[size], continued by `pagination.next_page` until it is null."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from eventframework.local.sandbox.api import ApiRequest
from eventframework.local.sandbox.stream import EventStream
from eventframework.local.sandbox.vendors.terraform import TerraformAuditEventFactory, TerraformAuditTrailApi

START_MS = int(datetime(2024, 8, 14, 9, 0, tzinfo=UTC).timestamp() * 1000)


def get(api: Any, query: dict[str, str]) -> tuple[int, Any]:
    request = ApiRequest("GET", api.path, query, b"", "Bearer t")
    reply = api.serve(request, 0.0, None)
    return reply.status, json.loads(reply.body)


def terraform(count: int) -> TerraformAuditTrailApi:
    stream = EventStream(TerraformAuditEventFactory(3), count, START_MS, 1000)
    return TerraformAuditTrailApi(stream, "t", "http://127.0.0.1")


def test_terraform_next_page_until_null_and_documented_since_format() -> None:
    api = terraform(5)
    query = {"since": "2024-08-14T09:00:00.000Z", "page[size]": "2"}
    pages = [get(api, query | {"page[number]": str(n)})[1] for n in (1, 2, 3)]
    assert [p["pagination"]["next_page"] for p in pages] == [2, 3, None]
    assert sum(len(p["data"]) for p in pages) == 5
    assert pages[0]["pagination"]["total_count"] == 5
    status, body = get(api, {"since": "2024-08-14T09:00:00Z"})
    assert status == 400 and body["errors"][0]["status"] == "400"
    assert api.error_body(429)["errors"][0]["title"] == "Too many requests"
