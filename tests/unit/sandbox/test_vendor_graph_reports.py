"""Microsoft Graph directory audits and risk detections in the sandbox: the documented `$filter` on
each collection's own time property (an unquoted DateTimeOffset), `$top` clamped at the endpoint's
maximum, and `@odata.nextLink` paging over the slice the listing started on, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

AUDITS, RISKS = "microsoft-graph-directory-audits", "microsoft-graph-risk-detections"
TOKEN_PATH = "/oauth2/v2.0/token"
SINCE = START.strftime("%Y-%m-%dT%H:%M:%SZ")
# (source, path, time property, maximum $top)
ENDPOINTS = [
    (AUDITS, "/v1.0/auditLogs/directoryAudits", "activityDateTime", 1000),
    (RISKS, "/v1.0/identityProtection/riskDetections", "detectedDateTime", 500),
]


@pytest.fixture
def graph() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={AUDITS: 30, RISKS: 30}, seed=4, token="graph-token", start_time=START, clock=clock
    ) as sb:
        yield sb


def bearer(sandbox: Sandbox, source: str) -> dict[str, str]:
    credentials = sandbox.credentials(source)
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "scope": "https://graph.microsoft.com/.default",
    }
    token = requests.post(f"{sandbox.base_url}{TOKEN_PATH}", data=form, timeout=TIMEOUT).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def get(sandbox: Sandbox, source: str, url: str, params: dict[str, Any] | None = None) -> requests.Response:
    return requests.get(url, params=params, headers=bearer(sandbox, source), timeout=TIMEOUT)


@pytest.mark.parametrize(("source", "path", "field", "top"), ENDPOINTS)
def test_graph_report_pages_newest_first_through_next_links(
    graph: Sandbox, source: str, path: str, field: str, top: int
) -> None:
    url = f"{graph.base_url}{path}"
    page = get(graph, source, url, {"$filter": f"{field} ge {SINCE}", "$top": 7}).json()
    assert page["@odata.context"].endswith(path.removeprefix("/v1.0/"))
    seen = list(page["value"])
    while "@odata.nextLink" in page:
        page = get(graph, source, page["@odata.nextLink"]).json()
        seen += page["value"]
    expected = [event["id"] for event in graph.events(source)]
    assert [event["id"] for event in seen] == expected[::-1]
    assert all(event[field].endswith("Z") and len(event[field]) == 28 for event in seen)  # 7 fraction digits


@pytest.mark.parametrize(("source", "path", "field", "top"), ENDPOINTS)
def test_graph_report_filter_is_the_documented_time_property_unquoted(
    graph: Sandbox, source: str, path: str, field: str, top: int
) -> None:
    url = f"{graph.base_url}{path}"
    for wrong in (f"{field} ge '{SINCE}'", f"createdDateTime ge {SINCE}", f"{field} ge {START.date()}"):
        refused = get(graph, source, url, {"$filter": wrong})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "BadRequest", wrong
    assert get(graph, source, url).status_code == 400  # the first request needs its lower bound
    fractional = get(
        graph, source, url, {"$filter": f"{field} ge {START.isoformat(timespec='milliseconds')}"}
    )
    assert fractional.status_code == 200


@pytest.mark.parametrize(("source", "path", "field", "top"), ENDPOINTS)
def test_graph_report_top_is_clamped_at_the_endpoint_maximum(
    graph: Sandbox, source: str, path: str, field: str, top: int
) -> None:
    url = f"{graph.base_url}{path}"
    graph.ingest(source, top + 5)
    page = get(graph, source, url, {"$filter": f"{field} ge {SINCE}", "$top": 100_000}).json()
    assert len(page["value"]) == top and f"%24top={top}&" in page["@odata.nextLink"]


def test_graph_risk_detections_default_to_twenty_per_page(graph: Sandbox) -> None:
    url = f"{graph.base_url}/v1.0/identityProtection/riskDetections"
    page = get(graph, RISKS, url, {"$filter": f"detectedDateTime ge {SINCE}"}).json()
    assert len(page["value"]) == 20 and "@odata.nextLink" in page


def test_graph_reports_refuse_a_wrong_token(graph: Sandbox) -> None:
    for _, path, field, _top in ENDPOINTS:
        refused = requests.get(
            f"{graph.base_url}{path}",
            params={"$filter": f"{field} ge {SINCE}"},
            headers={"Authorization": "Bearer forged"},
            timeout=TIMEOUT,
        )
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "InvalidAuthenticationToken"
