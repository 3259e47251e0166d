"""What a whole pull tells an operator: its CloudWatch EMF metrics, metric by metric, and its logs,
which must correlate every line with the run and never contain the source's token.

One pull (module fixture) through the real state machine and handlers, with a 429 and a tightened
raw schema so rate-limit waits and dead letters appear; the handlers' stdout (EMF documents and
Powertools JSON log lines) is captured and compared with what the run itself counted.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from eventframework.handlers import _runtime
from eventframework.local.run.pull import RunSummary
from eventframework.local.sandbox import Fault
from eventframework.observability import MetricName
from tests.support.function_output import captured_function_output

from .harness import PullWorld, make_world

OKTA = "okta-system-log"
EVENTS = 300
RETRY_AFTER = 7
pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class CapturedPull:
    summary: RunSummary
    token: str
    lines: list[dict[str, Any]]
    raw: str
    finished_at: float
    newest_delivered: float

    @property
    def emf(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if "_aws" in line]

    @property
    def logs(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if "_aws" not in line]

    def values(self, name: MetricName) -> list[float]:
        found: list[float] = []
        for document in self.emf:
            if name.value in document:
                value = document[name.value]
                found += value if isinstance(value, list) else [value]
        return found


@pytest.fixture(scope="module")
def pull(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CapturedPull]:
    root: Path = tmp_path_factory.mktemp("telemetry")
    world, sandbox = make_world(root, {OKTA: EVENTS})
    world.tune_source(OKTA, lambda d: d.update(page_size=100))
    world.tune_schema(
        OKTA, lambda s: s["properties"].update(eventType={"type": "string", "pattern": "^user\\."})
    )
    with sandbox:
        sandbox.inject(OKTA, Fault.http_status(429, retry_after=RETRY_AFTER, times=1))
        with captured_function_output() as buffer:
            summary = _run(world)
    finished_at = time.time()
    raw = buffer.getvalue()
    lines = [json.loads(line) for line in raw.splitlines() if line.startswith("{")]
    newest = max(datetime.fromisoformat(event["utctimestamp"]).timestamp() for event in world.delivered(OKTA))
    yield CapturedPull(summary, sandbox.token, lines, raw, finished_at, newest)


def _run(world: PullWorld) -> RunSummary:
    summary = world.run(OKTA)
    assert summary.status == "SUCCEEDED", summary
    return summary


def test_telemetry_emf_documents_carry_namespace_and_source_dimensions(pull: CapturedPull) -> None:
    assert pull.emf, "the handlers printed no EMF document"
    for document in pull.emf:
        [directive] = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == _runtime.NAMESPACE
        assert ["service", "source"] in [sorted(dims) for dims in directive["Dimensions"]]
        assert document["source"] == OKTA and document["service"] == "eventframework"


def test_telemetry_emf_counts_match_the_run_metric_by_metric(pull: CapturedPull) -> None:
    totals = pull.summary.totals
    expected = {
        MetricName.RUNS_STARTED: 1,
        MetricName.PAGES: totals["pages"],
        MetricName.PAGES_PROCESSED: totals["pages"],
        MetricName.EVENTS_FETCHED: totals["fetched"],
        MetricName.EVENTS_PUBLISHED: totals["published"],
        MetricName.EVENTS_DEAD_LETTERED: totals["dead_lettered"],
        MetricName.DUPLICATES_DROPPED: totals["duplicates"],
        MetricName.RATE_LIMITED: 1,
        MetricName.RATE_LIMIT_WAIT_SECONDS: RETRY_AFTER,
    }
    actual = {name: sum(pull.values(name)) for name in expected}
    assert actual == expected
    assert totals["fetched"] == EVENTS and totals["dead_lettered"] > 0, totals
    assert pull.values(MetricName.RUNS_SKIPPED_LEASE_HELD) == []


def test_telemetry_emf_api_latency_once_per_request(pull: CapturedPull) -> None:
    latencies = pull.values(MetricName.API_LATENCY)
    assert len(latencies) == pull.summary.totals["pages"] + 1, "every page, plus the request that got 429"
    assert all(value >= 0 for value in latencies)


def test_telemetry_emf_lag_is_now_minus_the_newest_delivered_event(pull: CapturedPull) -> None:
    lags = pull.values(MetricName.LAG_SECONDS)
    assert lags, "pages that delivered events report their lag"
    assert lags == sorted(lags, reverse=True), "pages come oldest first, so the lag shrinks"
    lag_at_end = pull.finished_at - pull.newest_delivered
    assert lag_at_end - 120 <= lags[-1] <= lag_at_end, (lags[-1], lag_at_end)


def test_telemetry_logs_correlate_every_line_with_its_run(pull: CapturedPull) -> None:
    by_function: dict[str, int] = defaultdict(int)
    for line in pull.logs:
        assert line["source"] == OKTA
        assert line["correlation_id"] == f"{line['execution']}:{OKTA}"
        by_function[line["message"]] += 1
    assert by_function["lease acquired"] == 1
    assert by_function["page processed"] == pull.summary.totals["pages"]


def test_telemetry_logs_never_contain_the_source_token(pull: CapturedPull) -> None:
    assert len(pull.token) >= 16 and pull.logs
    assert pull.token not in pull.raw
