"""The per-source alarms and dashboard of template.yaml, rendered by `efw template sync`.

For each pulled source: a lag alarm (newest delivered event older than `monitoring.max_lag_seconds`),
a no-successful-run alarm (no page processed within `monitoring.missed_runs` schedule intervals; a
stopped schedule or a run that keeps failing), a dead-letters alarm (any new dead letter), and a
dashboard of throughput, lag, failures, dead letters, API latency, MozDef's queue and the webhook
API's responses. A push-only source gets the dead-letters alarm alone. The alarms
publish to the stack's AlarmTopic; the metrics are the ones `eventframework.observability` emits.
"""

from __future__ import annotations

import json
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


def staleness_window(definition: SourceDefinition) -> tuple[int, int]:
    """(Period, EvaluationPeriods) of the no-successful-run alarm: one period per schedule interval."""
    period = min(max(60, interval_seconds(definition.schedule) // 60 * 60), 86400)
    span = MAX_SPAN_LONG if period >= 3600 else MAX_SPAN_SHORT
    return period, max(1, min(definition.monitoring.missed_runs, span // period))


def _alarm(
    name: str, description: str, metric: MetricName, source: str, settings: dict[str, Any]
) -> list[str]:
    lines = [
        f"{name}:",
        "  Type: AWS::CloudWatch::Alarm",
        "  Properties:",
        f"    AlarmDescription: {json.dumps(description)}",
        f'    Namespace: !Sub "{NAMESPACE}"',
        f"    MetricName: {metric.value}",
        "    Dimensions:",
        f"      - Name: {DIMENSION_SERVICE}",
        f"        Value: {SERVICE}",
        f"      - Name: {DIMENSION_SOURCE}",
        f"        Value: {source}",
    ]
    lines += [f"    {key}: {value}" for key, value in settings.items()]
    return [*lines, "    AlarmActions: [!Ref AlarmTopic]", "    OKActions: [!Ref AlarmTopic]"]


def _dead_letters_alarm(source: str, stem: str) -> list[str]:
    return _alarm(
        f"{stem}DeadLettersAlarm",
        f"{source}: events were dead-lettered; inspect and reprocess them",
        MetricName.EVENTS_DEAD_LETTERED,
        source,
        {"Statistic": "Sum", "Period": ALARM_PERIOD, "Threshold": 0}
        | {
            "ComparisonOperator": "GreaterThanThreshold",
            "EvaluationPeriods": 1,
            "TreatMissingData": "notBreaching",
        },
    )


def render_push_alarms(definition: SourceDefinition, stem: str) -> list[str]:
    """A push-only source's one alarm: its dead letters (webhook and EventBridge handlers emit them
    under the source's dimension; there are no runs to watch)."""
    return _dead_letters_alarm(definition.id, stem)


def render_alarms(definition: SourceDefinition, stem: str) -> list[str]:
    """The three alarms of a source; `stem` is its PascalCase logical-id stem (OktaSystemLog)."""
    source = definition.id
    period, periods = staleness_window(definition)
    max_lag = definition.monitoring.max_lag_seconds
    common = {"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1}
    return [
        *_alarm(
            f"{stem}LagAlarm",
            f"{source}: the newest delivered event is more than {max_lag} s old (monitoring.max_lag_seconds)",
            MetricName.LAG_SECONDS,
            source,
            {"Statistic": "Maximum", "Period": ALARM_PERIOD, "Threshold": max_lag, **common}
            | {"TreatMissingData": "notBreaching"},
        ),
        *_alarm(
            f"{stem}NoSuccessfulRunAlarm",
            f"{source}: no page processed in {periods} schedule interval(s) of {period} s "
            "(schedule stopped, or every run fails); see efw status",
            MetricName.PAGES_PROCESSED,
            source,
            {
                "Statistic": "Sum",
                "Period": period,
                "EvaluationPeriods": periods,
                "DatapointsToAlarm": periods,
                "Threshold": 1,
                "ComparisonOperator": "LessThanThreshold",
                "TreatMissingData": "breaching",
            },
        ),
        *_dead_letters_alarm(source, stem),
    ]


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


def _widget(title: str, metrics: list[list[Any]], x: int, y: int, **extra: Any) -> dict[str, Any]:
    properties = {
        "title": title,
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "period": ALARM_PERIOD,
        "metrics": metrics,
        **extra,
    }
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties}


def dashboard_body(definition: SourceDefinition) -> dict[str, Any]:
    """The dashboard's JSON (before `!Sub` fills in region, stage, state machine and queue name)."""
    source, max_lag = definition.id, definition.monitoring.max_lag_seconds
    machine = ["AWS/States", "ExecutionsFailed", "StateMachineArn", "${PullStateMachine}"]
    queue = ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "${QueueName}"]
    webhook, api = ["AWS/ApiGateway"], ["ApiName", "${AWS::StackName}", "Stage", "${Stage}"]
    widgets = [
        _widget(
            f"{source}: throughput (events per 5 min)",
            [
                _metric(MetricName.EVENTS_FETCHED, source, "Sum", "fetched"),
                _metric(MetricName.EVENTS_PUBLISHED, source, "Sum", "published"),
                _metric(MetricName.DUPLICATES_DROPPED, source, "Sum", "duplicates dropped"),
            ],
            0,
            0,
        ),
        _widget(
            f"{source}: lag (seconds behind the newest event)",
            [_metric(MetricName.LAG_SECONDS, source, "Maximum", "lag")],
            12,
            0,
            annotations={"horizontal": [{"label": "max_lag_seconds", "value": max_lag}]},
        ),
        _widget(
            f"{source}: runs and failures",
            [
                _metric(MetricName.PAGES_PROCESSED, source, "Sum", "pages processed"),
                _metric(MetricName.RATE_LIMITED, source, "Sum", "rate-limit waits"),
                [*machine, {"stat": "Sum", "label": "failed executions (all sources)"}],
                [".", "ExecutionsTimedOut", ".", ".", {"stat": "Sum", "label": "timed out"}],
            ],
            0,
            6,
        ),
        _widget(
            f"{source}: dead letters",
            [_metric(MetricName.EVENTS_DEAD_LETTERED, source, "Sum", "dead-lettered")],
            12,
            6,
        ),
        _widget(
            f"{source}: API latency (ms)",
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
    return {"widgets": widgets}


def render_dashboard(definition: SourceDefinition, stem: str) -> list[str]:
    body = json.dumps(dashboard_body(definition), separators=(",", ":")).replace("'", "''")
    return [
        f"{stem}Dashboard:",
        "  Type: AWS::CloudWatch::Dashboard",
        "  Properties:",
        "    DashboardBody: !Sub",
        f"      - '{body}'",
        f"      - QueueName: {QUEUE_NAME}",
    ]


def render_monitoring(definition: SourceDefinition, stem: str) -> list[str]:
    """Every monitoring resource of one source, unindented YAML lines."""
    return [*render_alarms(definition, stem), *render_dashboard(definition, stem)]
