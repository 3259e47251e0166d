"""Each state machine's role grants exactly what its definition calls: the Lambda functions its Task
states name (through DefinitionSubstitutions), the AWS service integrations it uses, on the
resources they name, and nothing else but the log delivery Step Functions' logging needs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import REPO

# What CloudWatch Logs delivery of an execution log needs; the actions have no resource to scope to.
LOG_DELIVERY = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}
# Service integrations: the IAM action of each Task resource this project uses.
INTEGRATIONS = {
    "arn:aws:states:::dynamodb:updateItem": "dynamodb:UpdateItem",
    "arn:aws:states:::states:startExecution": "states:StartExecution",
}


def _tasks(states: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in states.values():
        if state["Type"] == "Task":
            yield state
        for branch in state.get("Branches", []):
            yield from _tasks(branch["States"])
        if "ItemProcessor" in state or "Iterator" in state:
            yield from _tasks((state.get("ItemProcessor") or state["Iterator"])["States"])


def _needed(machine: dict[str, Any], logical_id: str) -> set[tuple[str, str]]:
    """(action, logical id of the resource) for every Task of the machine's ASL file."""
    properties = machine["Properties"]
    definition = json.loads((REPO / properties["DefinitionUri"]).read_text(encoding="utf-8"))
    substitutions = properties.get("DefinitionSubstitutions", {})

    def target(text: str) -> str:  # "${StateTableName}" -> the logical id its substitution names
        value = substitutions[text[2:-1]]
        return str(value.get("Ref") or value["Fn::GetAtt"][0])

    needed = set()
    for task in _tasks(definition["States"]):
        resource = task["Resource"]
        if resource.startswith("${"):
            needed.add(("lambda:InvokeFunction", target(resource)))
        elif "dynamodb" in resource:
            needed.add((INTEGRATIONS[resource], target(task["Parameters"]["TableName"])))
        else:
            needed.add((INTEGRATIONS[resource], logical_id))  # a machine that continues in itself
    return needed


def _granted(translated: dict[str, Any], logical_id: str, names: set[str]) -> set[tuple[str, str]]:
    resources = translated["Resources"]
    role = translated["Resources"][logical_id]["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    granted = set()
    for policy in resources[role]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            text = json.dumps(statement["Resource"])
            named = {name for name in names if name in text} or {"*" if text == '"*"' else text}
            for action in [actions] if isinstance(actions, str) else actions:
                if action not in LOG_DELIVERY:
                    granted |= {(action, name) for name in named}
    return granted


@pytest.mark.parametrize("logical_id", ["PullStateMachine", "ReprocessStateMachine"])
def test_state_machine_role_grants_exactly_what_its_definition_calls(
    template: dict[str, Any], translated: dict[str, Any], logical_id: str
) -> None:
    needed = _needed(template["Resources"][logical_id], logical_id)
    names = {name for _, name in needed}
    # The machine names itself by the stack's name pattern (a Ref to itself would be a cycle).
    pull_name = f"-{logical_id.removesuffix('StateMachine').lower()}"
    granted = {
        (action, logical_id if pull_name in name else name)
        for action, name in _granted(translated, logical_id, names)
    }
    assert needed, f"{logical_id} calls nothing?"
    assert not needed - granted, f"{logical_id} calls but may not: {sorted(needed - granted)}"
    assert not granted - needed, f"{logical_id} may but never calls: {sorted(granted - needed)}"
