"""The pipelines' reprocess role can do exactly what `efw reprocess-changed --stack` does, no more.

The role's policy, resolved for a dev and a prod stack name, is evaluated with moto's IAM policy
evaluator (Action, Resource and wildcards as IAM matches them): every call the command makes is
permitted, and the neighbouring calls a looser policy would let through are not. The calls are not
listed by hand only: the command runs against moto with every boto3 call recorded, and each recorded
call must be permitted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.iam.access_control import IAMPolicy

from eventframework.local.changes.records import SsmRecord, parameter_name
from eventframework.local.changes.runner import reprocess_changed
from eventframework.local.ops.aws_ops import AwsOps

from .conftest import PIPELINES
from .role_policies import allowed, role_policies

REGION, ACCOUNT = "us-east-1", "123456789012"
DEV, PROD = "efw-dev", "efw-prod"
ARN = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:{{}}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})


def _policies(pipeline: dict[str, Any]) -> list[IAMPolicy]:
    return role_policies(pipeline, "ReprocessRole", dev=DEV, prod=PROD)


def _allowed(policies: list[IAMPolicy], action: str, resource: str) -> bool:
    return allowed(policies, action, resource)


def _needed(stack: str, record: str) -> list[tuple[str, str]]:
    machine = f"{stack}-reprocess"
    return [
        ("cloudformation:DescribeStacks", ARN.format("cloudformation", f"stack/{stack}/0c9d-11ee")),
        ("states:StartExecution", ARN.format("states", f"stateMachine:{machine}")),
        ("states:DescribeExecution", ARN.format("states", f"execution:{machine}:4f1e-9a2b")),
        ("ssm:GetParameter", ARN.format("ssm", f"parameter/{stack}/reprocess/{record}")),
        ("ssm:PutParameter", ARN.format("ssm", f"parameter/{stack}/reprocess/{record}")),
    ]


NOT_NEEDED = [
    ("states:StartExecution", ARN.format("states", f"stateMachine:{DEV}-pull")),
    ("states:StartExecution", ARN.format("states", f"stateMachine:{DEV}-reprocess-2")),
    ("states:StartExecution", ARN.format("states", "stateMachine:other-reprocess")),
    ("states:StopExecution", ARN.format("states", f"execution:{PROD}-reprocess:4f1e-9a2b")),
    ("states:RedriveExecution", ARN.format("states", f"execution:{PROD}-reprocess:4f1e-9a2b")),
    ("states:DescribeExecution", ARN.format("states", f"execution:{PROD}-pull:4f1e-9a2b")),
    ("cloudformation:DescribeStacks", ARN.format("cloudformation", "stack/efw-pipeline/0c9d-11ee")),
    ("cloudformation:UpdateStack", ARN.format("cloudformation", f"stack/{PROD}/0c9d-11ee")),
    # dev only ever dry-runs and prod only publishes: neither may touch the other mode's record
    ("ssm:PutParameter", ARN.format("ssm", f"parameter/{DEV}/reprocess/published")),
    ("ssm:PutParameter", ARN.format("ssm", f"parameter/{PROD}/reprocess/dry-run")),
    ("ssm:GetParameter", ARN.format("ssm", f"parameter/{PROD}/secrets")),
    ("ssm:DeleteParameter", ARN.format("ssm", f"parameter/{PROD}/reprocess/published")),
    ("dynamodb:Query", ARN.format("dynamodb", f"table/{PROD}-DeadLetterTable")),
    ("s3:PutObject", "arn:aws:test:::ArtifactBucket.Arn/packages/x"),
]


@pytest.mark.parametrize("pipeline_name", sorted(PIPELINES))
def test_reprocess_role_permits_each_call_of_the_step_on_both_stacks(
    pipeline_name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    policies = _policies(pipelines[pipeline_name])
    needed = [*_needed(DEV, "dry-run"), *_needed(PROD, "published")]
    needed += [
        ("logs:PutLogEvents", "arn:aws:test:::BuildLogGroup.Arn:log-stream:x"),
        ("s3:GetObject", "arn:aws:test:::ArtifactBucket.Arn/Packaged/x.zip"),
        ("kms:Decrypt", "arn:aws:test:::ArtifactKey.Arn"),
    ]
    refused = [(action, resource) for action, resource in needed if not _allowed(policies, action, resource)]
    assert not refused


@pytest.mark.parametrize("pipeline_name", sorted(PIPELINES))
def test_reprocess_role_refuses_what_the_step_does_not_do(
    pipeline_name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    policies = _policies(pipelines[pipeline_name])
    allowed = [(action, resource) for action, resource in NOT_NEEDED if _allowed(policies, action, resource)]
    assert not allowed


def test_reprocess_role_names_exactly_these_actions(pipelines: dict[str, dict[str, Any]]) -> None:
    role = pipelines["codecommit"]["Resources"]["ReprocessRole"]["Properties"]
    actions = {
        action
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "kms:Decrypt",
        "kms:DescribeKey",
        "cloudformation:DescribeStacks",
        "states:StartExecution",
        "states:DescribeExecution",
        "ssm:GetParameter",
        "ssm:PutParameter",
    }


# ---------------------------------------------------------------- the calls the command really makes
@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _deploy(stack: str) -> Any:
    """The application stack as the step sees it: a reprocess machine named after it, in its outputs."""
    admin = boto3.session.Session(region_name=REGION)
    machine = admin.client("stepfunctions").create_state_machine(
        name=f"{stack}-reprocess", definition=DEFINITION, roleArn=ROLE
    )["stateMachineArn"]
    template = {
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"ReprocessStateMachineArn": {"Value": machine}},
    }
    admin.client("cloudformation").create_stack(StackName=stack, TemplateBody=json.dumps(template))
    return admin


def _recorded_calls(session: Any) -> list[tuple[str, str]]:
    """(IAM action, resource ARN) of every call made through `session`'s clients."""
    calls: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.signing_name
        resource = {
            "DescribeStacks": lambda: ARN.format("cloudformation", f"stack/{params['StackName']}/0c9d-11ee"),
            "StartExecution": lambda: params["stateMachineArn"],
            "DescribeExecution": lambda: params["executionArn"],
            "GetParameter": lambda: ARN.format("ssm", f"parameter{params['Name']}"),
            "PutParameter": lambda: ARN.format("ssm", f"parameter{params['Name']}"),
        }.get(model.name, lambda: "*")()
        calls.append((f"{service}:{model.name}", resource))

    session.events.register("provide-client-params", record)
    return calls


@pytest.mark.parametrize(("stack", "dry_run"), [(DEV, True), (PROD, False)])
def test_reprocess_role_permits_every_call_reprocess_changed_makes(
    aws: None, pipelines: dict[str, dict[str, Any]], stack: str, dry_run: bool
) -> None:
    admin = _deploy(stack)
    session = boto3.session.Session(region_name=REGION)
    calls = _recorded_calls(session)

    def end_the_execution(_: float) -> None:  # moto leaves executions RUNNING; stop it, as AWS would end it
        sfn = admin.client("stepfunctions")
        machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        for execution in sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]:
            sfn.stop_execution(executionArn=execution["executionArn"])

    ops = AwsOps(stack, session, sleep=end_the_execution, poll_seconds=0)
    record = SsmRecord(session.client("ssm"), parameter_name(stack, dry_run))
    outcome = reprocess_changed(ops, record, {"okta-system-log": "1" * 16}, dry_run=dry_run)
    assert [run.source for run in outcome.runs] == ["okta-system-log"]
    assert {action for action, _ in calls} == {
        "cloudformation:DescribeStacks",
        "states:StartExecution",
        "states:DescribeExecution",
        "ssm:GetParameter",
        "ssm:PutParameter",
    }
    policies = _policies(pipelines["codecommit"])
    refused = [(action, resource) for action, resource in calls if not _allowed(policies, action, resource)]
    assert not refused
