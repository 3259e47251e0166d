"""Alarm and dashboard wiring, asserted on the CloudFormation the SAM template becomes.

Every alarm must reach the encrypted alarm topic, watch a metric the functions really emit (names
and dimensions from `eventframework.observability`) and use the source's own thresholds; every
pulled source must have its lag, no-successful-run and dead-letter alarms, and one dashboard serves
every source through a `source` variable. The template builds them with Fn::ForEach; these checks
read the expanded, translated template, so they hold for what CloudFormation creates.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from eventframework.definitions import SourceDefinition, list_sources
from eventframework.local.commands.template import logical_name
from eventframework.local.template.monitoring import DASHBOARD, staleness_window
from eventframework.observability import SERVICE, MetricName, interval_seconds

PER_SOURCE_ALARMS = ("LagAlarm", "NoSuccessfulRunAlarm", "DeadLettersAlarm")


def _pulled() -> list[SourceDefinition]:
    return [definition for definition in list_sources() if definition.pulled]


def _alarms(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical: resource["Properties"]
        for logical, resource in translated["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def _dimensions(alarm: dict[str, Any]) -> dict[str, Any]:
    return {entry["Name"]: entry["Value"] for entry in alarm["Dimensions"]}


def test_monitoring_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use(
    translated: dict[str, Any],
) -> None:
    resources = translated["Resources"]
    assert resources["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}
    key = resources["AlarmTopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    principals = [statement["Principal"] for statement in key["KeyPolicy"]["Statement"]]
    assert {"Service": "cloudwatch.amazonaws.com"} in principals
    assert translated["Outputs"]["AlarmTopicArn"]["Value"] == {"Ref": "AlarmTopic"}


def test_monitoring_every_alarm_notifies_the_alarm_topic(translated: dict[str, Any]) -> None:
    alarms = _alarms(translated)
    assert alarms
    for logical, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], logical


@pytest.mark.parametrize("definition", _pulled(), ids=lambda definition: definition.id)
def test_monitoring_each_pulled_source_has_its_alarms_on_emitted_metrics(
    translated: dict[str, Any], definition: SourceDefinition
) -> None:
    alarms = _alarms(translated)
    stem = logical_name(definition.id)
    expected_metric = {
        "LagAlarm": MetricName.LAG_SECONDS,
        "NoSuccessfulRunAlarm": MetricName.PAGES_PROCESSED,
        "DeadLettersAlarm": MetricName.EVENTS_DEAD_LETTERED,
    }
    for suffix in PER_SOURCE_ALARMS:
        alarm = alarms[f"{stem}{suffix}"]
        assert alarm["MetricName"] == expected_metric[suffix].value
        assert alarm["Namespace"] == {"Fn::Sub": "MozDefEventFramework/${Stage}"}
        assert _dimensions(alarm) == {"service": SERVICE, "source": definition.id}


@pytest.mark.parametrize("definition", _pulled(), ids=lambda definition: definition.id)
def test_monitoring_thresholds_come_from_the_source_definition(
    translated: dict[str, Any], definition: SourceDefinition
) -> None:
    alarms = _alarms(translated)
    stem = logical_name(definition.id)
    lag = alarms[f"{stem}LagAlarm"]
    assert (lag["Threshold"], lag["ComparisonOperator"]) == (
        definition.monitoring.max_lag_seconds,
        "GreaterThanThreshold",
    )
    stale = alarms[f"{stem}NoSuccessfulRunAlarm"]
    period, periods = staleness_window(definition)
    assert period == min(interval_seconds(definition.schedule), 86400)
    assert (stale["Period"], stale["EvaluationPeriods"], stale["DatapointsToAlarm"]) == (
        period,
        periods,
        periods,
    )
    assert (stale["Threshold"], stale["ComparisonOperator"]) == (1, "LessThanThreshold")
    assert stale["TreatMissingData"] == "breaching", "no data at all is exactly the stale case"
    dead = alarms[f"{stem}DeadLettersAlarm"]
    assert (dead["Threshold"], dead["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_monitoring_push_only_sources_get_their_dead_letters_alarm_alone(translated: dict[str, Any]) -> None:
    pushed = [definition for definition in list_sources() if not definition.pulled]
    assert pushed
    alarms = _alarms(translated)
    for definition in pushed:
        stem = logical_name(definition.id)
        assert [logical for logical in alarms if logical.startswith(stem)] == [f"{stem}DeadLettersAlarm"]
        alarm = alarms[f"{stem}DeadLettersAlarm"]
        assert alarm["MetricName"] == MetricName.EVENTS_DEAD_LETTERED.value
        assert _dimensions(alarm) == {"service": SERVICE, "source": definition.id}


def test_monitoring_failed_executions_alarm_watches_the_pull_machine(translated: dict[str, Any]) -> None:
    alarm = _alarms(translated)["PullExecutionsFailedAlarm"]
    stats = {query["Id"]: query["MetricStat"] for query in alarm["Metrics"] if "MetricStat" in query}
    assert {stat["Metric"]["MetricName"] for stat in stats.values()} == {
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
    }
    for stat in stats.values():
        assert stat["Metric"]["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": {"Ref": "PullStateMachine"}}
        ]
    assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (1, 1), "one failed run alarms at once"


def test_monitoring_queue_age_and_webhook_alarms_watch_the_right_resources(
    translated: dict[str, Any],
) -> None:
    alarms = _alarms(translated)
    queue = alarms["MozDefQueueAgeAlarm"]
    assert queue["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert queue["Threshold"] == {"Ref": "MozDefQueueMaxAgeSeconds"}
    assert translated["Resources"]["WebhookApi"]["Properties"]["Body"]["info"]["title"] == {
        "Ref": "AWS::StackName"
    }
    for logical, metric in (
        ("WebhookServerErrorsAlarm", "5XXError"),
        ("WebhookClientErrorsAlarm", "4XXError"),
    ):
        alarm = alarms[logical]
        assert alarm["MetricName"] == metric
        assert _dimensions(alarm) == {"ApiName": {"Ref": "AWS::StackName"}, "Stage": {"Ref": "Stage"}}


def _dashboards(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical: resource["Properties"]
        for logical, resource in translated["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Dashboard"
    }


def test_monitoring_one_dashboard_picks_the_source_with_a_variable(translated: dict[str, Any]) -> None:
    """One dashboard for all sources: its `source` property variable, filled by a metric search on
    the framework's namespace, switches the `source` dimension of every per-source graph."""
    assert list(_dashboards(translated)) == [DASHBOARD], "one dashboard, not one per source"
    body, _ = _dashboards(translated)[DASHBOARD]["DashboardBody"]["Fn::Sub"]
    (variable,) = json.loads(body)["variables"]
    assert (variable["type"], variable["property"], variable["inputType"]) == ("property", "source", "select")
    assert variable["search"] == "{MozDefEventFramework/${Stage},service,source}"
    assert variable["populateFrom"] == "source"
    sourced = [
        row
        for widget in json.loads(body)["widgets"]
        for row in widget["properties"]["metrics"]
        if "source" in row
    ]
    assert sourced, "no graph follows the variable"
    assert len({row[row.index("source") + 1] for row in sourced}) == 1, "every graph shows the chosen source"
    assert all(
        row[0] == "MozDefEventFramework/${Stage}" and row[2:4] == ["service", SERVICE] for row in sourced
    )


def test_monitoring_dashboard_shows_throughput_lag_failures_dead_letters_queue_and_webhooks(
    translated: dict[str, Any],
) -> None:
    body, variables = _dashboards(translated)[DASHBOARD]["DashboardBody"]["Fn::Sub"]
    references = set(re.findall(r"\$\{([^}]+)\}", body))
    assert references <= {"AWS::Region", "AWS::StackName", "Stage", "PullStateMachine", "QueueName"}
    assert set(variables) == {"QueueName"}
    widgets = json.loads(body)["widgets"]
    metrics = {row[1] for widget in widgets for row in widget["properties"]["metrics"]}
    assert {name.value for name in (MetricName.EVENTS_PUBLISHED, MetricName.LAG_SECONDS)} <= metrics
    assert {
        MetricName.EVENTS_DEAD_LETTERED.value,
        MetricName.PAGES_PROCESSED.value,
        "ExecutionsFailed",
    } <= metrics
    assert {
        "ApproximateAgeOfOldestMessage",
        "ApproximateNumberOfMessagesVisible",
        "5XXError",
        "4XXError",
    } <= metrics
