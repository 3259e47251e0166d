"""The deployment test: template.yaml, translated and created as a stack in moto, is wired as the
architecture says: queues redrive to their dead-letter queues, the state machines' roles may invoke
the functions their definitions call, schedules start the pull state machine for real sources, and
the webhook API's routes reach the webhook function, which lets API Gateway invoke it."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from ..template.conftest import REPO
from .stack import IGNORED, MotoStack, policy_document

SOURCE_IDS = {path.stem for path in (REPO / "sources").glob("*.yaml")}


def _allows(stack: MotoStack, role_arn: str, action: str, resource: str) -> bool:
    """Whether one of the role's inline policies allows `action` on `resource` (wildcards honoured)."""
    iam = stack.client("iam")
    role_name = role_arn.rsplit("/", 1)[1]
    for policy_name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
        document = policy_document(document)
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            if (
                statement["Effect"] == "Allow"
                and any(fnmatch.fnmatchcase(action, a) for a in actions)
                and any(fnmatch.fnmatchcase(resource, r) for r in resources)
            ):
                return True
    return False


def _lambda_tasks(definition: dict[str, Any]) -> list[str]:
    """Function ARNs a definition invokes, through direct ARNs or the lambda:invoke integration."""
    found: list[str] = []
    for state in definition.get("States", {}).values():
        resource = state.get("Resource", "")
        if resource.startswith("arn:aws:lambda:"):
            found.append(resource)
        elif resource.startswith("arn:aws:states:::lambda:invoke"):
            found.append(state.get("Parameters", state.get("Arguments", {})).get("FunctionName", ""))
        for branch in state.get("Branches", []):
            found += _lambda_tasks(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                found += _lambda_tasks(state[key])
    return found


def test_deploy_stack_creates_every_resource(stack: MotoStack) -> None:
    cloudformation = stack.client("cloudformation")
    assert (
        cloudformation.describe_stacks(StackName=stack.stack_name)["Stacks"][0]["StackStatus"]
        == "CREATE_COMPLETE"
    )
    summaries = cloudformation.list_stack_resources(StackName=stack.stack_name)["StackResourceSummaries"]
    assert {summary["ResourceStatus"] for summary in summaries} == {"CREATE_COMPLETE"}
    assert set(stack.ignored.values()) <= IGNORED


def test_deploy_queues_redrive_to_their_dead_letter_queues(stack: MotoStack) -> None:
    sqs = stack.client("sqs")
    queues = stack.of_type("AWS::SQS::Queue")
    targets = set()
    for logical_id in queues:
        declared = stack.properties(logical_id).get("RedrivePolicy")
        attributes = sqs.get_queue_attributes(QueueUrl=stack.physical(logical_id), AttributeNames=["All"])
        if declared is None:
            continue
        actual = json.loads(attributes["Attributes"]["RedrivePolicy"])
        assert actual["deadLetterTargetArn"] == declared["deadLetterTargetArn"]
        assert int(actual["maxReceiveCount"]) == int(declared["maxReceiveCount"])
        targets.add(actual["deadLetterTargetArn"])
    assert targets, "no queue has a redrive policy"
    targets |= _async_dead_letter_targets(stack)
    for logical_id in queues:
        arn = stack.lookup(logical_id, "Arn")
        has_policy = (
            "RedrivePolicy"
            in sqs.get_queue_attributes(QueueUrl=stack.physical(logical_id), AttributeNames=["All"])[
                "Attributes"
            ]
        )
        assert has_policy or arn in targets, f"{logical_id} neither redrives nor is a dead-letter queue"


def _async_dead_letter_targets(stack: MotoStack) -> set[str]:
    """Queues that receive what asynchronous delivery gave up on: functions' and rule targets'."""
    found = set()
    for logical_id in stack.of_type("AWS::Lambda::Function"):
        config = stack.client("lambda").get_function_configuration(FunctionName=stack.physical(logical_id))
        if "DeadLetterConfig" in config:
            found.add(config["DeadLetterConfig"]["TargetArn"])
    events = stack.client("events")
    for logical_id in stack.of_type("AWS::Events::Rule"):
        for target in events.list_targets_by_rule(Rule=stack.physical(logical_id))["Targets"]:
            if "DeadLetterConfig" in target:
                found.add(target["DeadLetterConfig"]["Arn"])
    return found


def test_deploy_state_machine_roles_can_invoke_their_functions(stack: MotoStack) -> None:
    sfn, functions = stack.client("stepfunctions"), stack.client("lambda")
    machines = stack.of_type("AWS::StepFunctions::StateMachine")
    assert machines
    for logical_id in machines:
        described = sfn.describe_state_machine(stateMachineArn=stack.physical(logical_id))
        invoked = _lambda_tasks(json.loads(described["definition"]))
        assert invoked, f"{logical_id} invokes no function"
        for function_arn in invoked:
            functions.get_function(FunctionName=function_arn)  # the ARN names a deployed function
            assert _allows(stack, described["roleArn"], "lambda:InvokeFunction", function_arn), (
                f"{logical_id}'s role may not invoke {function_arn}"
            )


def test_deploy_schedules_start_the_pull_state_machine_for_real_sources(stack: MotoStack) -> None:
    scheduler = stack.client("scheduler")
    schedules = stack.of_type("AWS::Scheduler::Schedule")
    assert schedules
    pull_arn = stack.physical("PullStateMachine")
    (group,) = stack.of_type(
        "AWS::Scheduler::ScheduleGroup"
    )  # the stack's own, so dev and prod never collide
    for logical_id in schedules:
        schedule = scheduler.get_schedule(Name=stack.physical(logical_id), GroupName=stack.physical(group))
        target = schedule["Target"]
        assert target["Arn"] == pull_arn
        assert json.loads(target["Input"])["source"] in SOURCE_IDS
        assert _allows(stack, target["RoleArn"], "states:StartExecution", pull_arn)


def test_deploy_webhook_routes_reach_the_webhook_function(stack: MotoStack) -> None:
    apis = stack.of_type("AWS::ApiGateway::RestApi")
    if not apis or "WebhookFunction" not in stack.template["Resources"]:
        pytest.skip("template.yaml has no webhook API")
    gateway, functions = stack.client("apigateway"), stack.client("lambda")
    function_arn = stack.lookup("WebhookFunction", "Arn")
    api_id = stack.physical(apis[0])
    routes = {}
    for resource in gateway.get_resources(restApiId=api_id)["items"]:
        for method in resource.get("resourceMethods", {}):
            integration = gateway.get_integration(
                restApiId=api_id, resourceId=resource["id"], httpMethod=method
            )
            routes[(method, resource["path"])] = integration["uri"]
    assert ("POST", "/webhooks/{source}") in routes
    for uri in routes.values():
        assert f"/functions/{function_arn}/invocations" in uri
    policy = json.loads(functions.get_policy(FunctionName=function_arn)["Policy"])
    grants = [
        statement["Condition"]["ArnLike"]["AWS:SourceArn"]
        for statement in policy["Statement"]
        if statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    ]
    for method, _path in routes:
        assert any(f":{api_id}/" in grant and f"/{method}/" in grant for grant in grants), method
