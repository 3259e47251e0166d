"""The dashboard of template.yaml, and the alarm windows its per-source rows carry.

Every source's alarms come from `Fn::ForEach` loops in template.yaml over the `Sources` mapping
(rendered by `efw template sync`): for each pulled source a lag alarm (newest delivered event older
than `monitoring.max_lag_seconds`) and a no-successful-run alarm (no page processed within
`monitoring.missed_runs` schedule intervals: a stopped schedule or a run that keeps failing), and
for every source a dead-letters alarm (any new dead letter; webhook and EventBridge handlers emit
it under the source's dimension too). The alarms publish to the stack's AlarmTopic.

One dashboard serves every source: a dashboard variable (type `property`, property `source`) picks
the source, filled from a metric search on the framework's namespace, and switches the `source`
dimension of every per-source graph. It shows throughput, lag, runs and failures, dead letters, API
latency, MozDef's queue and the webhook API's responses. The metrics are the ones
`eventframework.observability` emits.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eventframework.definitions import SourceDefinition
from eventframework.observability import (
    DIMENSION_SERVICE,
    DIMENSION_SOURCE,
    SERVICE,
    MetricName,
    interval_seconds,
)

NAMESPACE = "MozDefEventFramework/${Stage}"
ALARM_PERIOD = 300
# CloudWatch caps Period x EvaluationPeriods at one day, or seven days for periods of an hour or more.
MAX_SPAN_SHORT = 86400
MAX_SPAN_LONG = 7 * 86400
QUEUE_NAME = (
    '!If [CreateMozDefQueue, !GetAtt MozDefEventsQueue.QueueName, !Select [5, !Split [":", '
    "!Ref ExistingMozDefQueueArn]]]"
)
DASHBOARD = "SourcesDashboard"
# The variable's first choice is the first source the search finds; the graphs name `placeholder`
# until then (the first source in id order), and the variable rewrites it wherever it appears.
FIRST = "__FIRST"


def staleness_window(definition: SourceDefinition) -> tuple[int, int]:
    """(Period, EvaluationPeriods) of the no-successful-run alarm: one period per schedule interval."""
    period = min(max(60, interval_seconds(definition.schedule) // 60 * 60), 86400)
    span = MAX_SPAN_LONG if period >= 3600 else MAX_SPAN_SHORT
    return period, max(1, min(definition.monitoring.missed_runs, span // period))


def _metric(name: MetricName, source: str, stat: str, label: str) -> list[Any]:
    return [
        NAMESPACE,
        name.value,
        DIMENSION_SERVICE,
        SERVICE,
        DIMENSION_SOURCE,
        source,
        {"stat": stat, "label": label},
    ]


def _widget(title: str, metrics: list[list[Any]], x: int, y: int) -> dict[str, Any]:
    properties = {
        "title": title,
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "period": ALARM_PERIOD,
        "metrics": metrics,
    }
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties}


def source_variable() -> dict[str, Any]:
    """The dashboard variable that picks the source: every source that has emitted a metric."""
    return {
        "type": "property",
        "property": DIMENSION_SOURCE,
        "inputType": "select",
        "id": DIMENSION_SOURCE,
        "label": "Source",
        "visible": True,
        "search": f"{{{NAMESPACE},{DIMENSION_SERVICE},{DIMENSION_SOURCE}}}",
        "populateFrom": DIMENSION_SOURCE,
        "defaultValue": FIRST,
    }


def dashboard_body(placeholder: str) -> dict[str, Any]:
    """The dashboard's JSON (before `!Sub` fills in region, stage, state machine and queue name)."""
    source = placeholder
    machine = ["AWS/States", "ExecutionsFailed", "StateMachineArn", "${PullStateMachine}"]
    queue = ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "${QueueName}"]
    webhook, api = ["AWS/ApiGateway"], ["ApiName", "${AWS::StackName}", "Stage", "${Stage}"]
    widgets = [
        _widget(
            "Throughput (events per 5 min)",
            [
                _metric(MetricName.EVENTS_FETCHED, source, "Sum", "fetched"),
                _metric(MetricName.EVENTS_PUBLISHED, source, "Sum", "published"),
                _metric(MetricName.DUPLICATES_DROPPED, source, "Sum", "duplicates dropped"),
            ],
            0,
            0,
        ),
        _widget(
            "Lag (seconds behind the newest event; the lag alarm holds the source's limit)",
            [_metric(MetricName.LAG_SECONDS, source, "Maximum", "lag")],
            12,
            0,
        ),
        _widget(
            "Runs and failures",
            [
                _metric(MetricName.PAGES_PROCESSED, source, "Sum", "pages processed"),
                _metric(MetricName.RATE_LIMITED, source, "Sum", "rate-limit waits"),
                [*machine, {"stat": "Sum", "label": "failed executions (all sources)"}],
                [".", "ExecutionsTimedOut", ".", ".", {"stat": "Sum", "label": "timed out (all sources)"}],
            ],
            0,
            6,
        ),
        _widget(
            "Dead letters",
            [_metric(MetricName.EVENTS_DEAD_LETTERED, source, "Sum", "dead-lettered")],
            12,
            6,
        ),
        _widget(
            "API latency (ms)",
            [
                _metric(MetricName.API_LATENCY, source, "p50", "p50"),
                _metric(MetricName.API_LATENCY, source, "p99", "p99"),
            ],
            0,
            12,
        ),
        _widget(
            "MozDef queue: age of oldest message (s) and depth",
            [
                [*queue, {"stat": "Maximum", "label": "age of oldest"}],
                [
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    "${QueueName}",
                    {"stat": "Maximum", "label": "depth", "yAxis": "right"},
                ],
            ],
            12,
            12,
        ),
        _widget(
            "Webhook API responses (all push sources)",
            [
                [*webhook, "Count", *api, {"stat": "Sum", "label": "requests"}],
                [*webhook, "4XXError", *api, {"stat": "Sum", "label": "4XX"}],
                [*webhook, "5XXError", *api, {"stat": "Sum", "label": "5XX"}],
            ],
            0,
            18,
        ),
    ]
    return {"variables": [source_variable()], "widgets": widgets}


def render_dashboard(definitions: Sequence[SourceDefinition]) -> list[str]:
    """The one dashboard resource, unindented YAML lines (sources in id order)."""
    placeholder = definitions[0].id if definitions else "none"
    body = json.dumps(dashboard_body(placeholder), separators=(",", ":")).replace("'", "''")
    return [
        f"{DASHBOARD}:",
        "  Type: AWS::CloudWatch::Dashboard",
        "  Properties:",
        "    DashboardBody: !Sub",
        f"      - '{body}'",
        f"      - QueueName: {QUEUE_NAME}",
    ]
