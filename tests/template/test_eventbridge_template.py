"""The GuardDuty block of template.yaml: every source with an eventbridge: section has a rule whose
pattern is the definition's, with a retry policy and an encrypted dead-letter queue EventBridge may
write to, and its function dead-letters failed invocations to the same queue."""

from __future__ import annotations

from typing import Any

from eventframework.definitions import list_sources


def _rules(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical: spec["Properties"]
        for logical, spec in translated["Resources"].items()
        if spec["Type"] == "AWS::Events::Rule"
    }


def test_eventbridge_template_rule_matches_each_definition_pattern(translated: dict[str, Any]) -> None:
    patterns = [rule["EventPattern"] for rule in _rules(translated).values()]
    pushed = [definition.eventbridge for definition in list_sources() if definition.eventbridge]
    assert pushed
    for spec in pushed:
        assert {"source": [spec.source], "detail-type": [spec.detail_type]} in patterns


def test_eventbridge_template_rule_retries_then_dead_letters_encrypted(translated: dict[str, Any]) -> None:
    resources = translated["Resources"]
    rule = _rules(translated)["GuardDutyFunctionAwsGuardduty"]  # SAM: function + event (the stem)
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["GuardDutyFunction", "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    queue = {"Fn::GetAtt": ["GuardDutyDeadLetterQueue", "Arn"]}
    assert target["DeadLetterConfig"]["Arn"] == queue
    assert resources["GuardDutyDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True
    function = resources["GuardDutyFunction"]["Properties"]
    assert function["DeadLetterConfig"]["TargetArn"] == queue
    statement = resources["GuardDutyDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    rules = [logical for logical, spec in resources.items() if spec["Type"] == "AWS::Events::Rule"]
    allowed = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert sorted(arn["Fn::GetAtt"][0] for arn in allowed) == sorted(rules), (
        "EventBridge may dead-letter into the queue for every rule, and only for those"
    )
    for logical in rules:
        (rule_target,) = resources[logical]["Properties"]["Targets"]
        assert rule_target["DeadLetterConfig"]["Arn"] == queue and rule_target["RetryPolicy"]


def test_eventbridge_template_function_reads_no_secret(template: dict[str, Any]) -> None:
    policies = template["Resources"]["GuardDutyFunction"]["Properties"]["Policies"]
    assert not any("AWSSecretsManagerGetSecretValuePolicy" in policy for policy in policies)
