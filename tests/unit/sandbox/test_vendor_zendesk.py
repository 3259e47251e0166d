"""Zendesk's audit logs in the sandbox, over real HTTP: a lone filter[created_at] is refused (Zendesk
wants a start and an end), and the after_cursor of the last page resumes the listing later."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, START, TIMEOUT, VirtualClock

ZENDESK = "zendesk-audit-logs"
EVENTS = 60


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = VirtualClock(EPOCH_START + 3600)
    with Sandbox(
        events={ZENDESK: EVENTS}, seed=3, token="vendor-token", start_time=START, clock=clock
    ) as running:
        yield running


def test_zendesk_refuses_a_lone_created_at_filter_and_keeps_its_cursor_at_the_end(sandbox: Sandbox) -> None:
    headers = {"Authorization": "Bearer vendor-token"}
    url = f"{sandbox.base_url}/api/v2/audit_logs"
    lone = requests.get(
        url,
        params={"sort": "created_at", "filter[created_at][]": "2024-08-14T09:00:00Z"},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert lone.status_code == 400
    first = requests.get(
        url, params={"sort": "created_at", "page[size]": "500"}, headers=headers, timeout=TIMEOUT
    ).json()
    assert len(first["audit_logs"]) == 60 and first["meta"]["has_more"] is False
    assert first["meta"]["after_cursor"] and first["links"]["next"] is None
    sandbox.ingest_late(ZENDESK, 2, age_seconds=60)
    params = {"sort": "created_at", "page[after]": first["meta"]["after_cursor"]}
    later = requests.get(url, params=params, headers=headers, timeout=TIMEOUT).json()
    assert len(later["audit_logs"]) == 2
