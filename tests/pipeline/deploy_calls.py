"""What CloudFormation calls, on which ARNs, to create the application stack: the model the deploy
role's policy is evaluated against (test_deploy_role.py).

Physical names follow CloudFormation's rules: the resource's own name property where the template
sets one (resolved for the given stack name), otherwise a generated `<stack>-<logical id>-<suffix>`
(`<logical id>-<suffix>` for the types that leave the stack name out: state machines, dashboards).
A generated name longer than the service's limit is cut by CloudFormation in a way the stack name
need not survive (docs: "Name type"; an observed cut keeps neither part whole), so such a name is
modelled without its stack prefix: a policy scoped by prefix must not rely on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.template.cfn import IntrinsicResolver

REGION, ACCOUNT = "us-east-1", "123456789012"
SUFFIX = "1A2B3C4D5E6F7"  # CloudFormation's random suffix: 12 or 13 upper-case letters and digits


@dataclass(frozen=True)
class NameRule:
    """How a type is named: its name property, the service's length limit, whether a generated
    name starts with the stack name, and the ARN of a resource called `name`."""

    prop: str | None
    limit: int
    with_stack: bool
    arn: Callable[[str], str]
    lowercase: bool = False


def _regional(service: str, rest: str) -> Callable[[str], str]:
    return lambda name: f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest.format(name=name)}"


RULES: dict[str, NameRule] = {
    "AWS::IAM::Role": NameRule("RoleName", 64, True, lambda name: f"arn:aws:iam::{ACCOUNT}:role{name}"),
    "AWS::Lambda::Function": NameRule("FunctionName", 64, True, _regional("lambda", "function:{name}")),
    "AWS::StepFunctions::StateMachine": NameRule(
        "StateMachineName", 80, False, _regional("states", "stateMachine:{name}")
    ),
    "AWS::DynamoDB::Table": NameRule("TableName", 255, True, _regional("dynamodb", "table/{name}")),
    "AWS::SQS::Queue": NameRule("QueueName", 80, True, _regional("sqs", "{name}")),
    "AWS::S3::Bucket": NameRule("BucketName", 63, True, lambda name: f"arn:aws:s3:::{name}", lowercase=True),
    "AWS::Logs::LogGroup": NameRule("LogGroupName", 512, True, _regional("logs", "log-group:{name}")),
    "AWS::SNS::Topic": NameRule("TopicName", 256, True, _regional("sns", "{name}")),
    "AWS::CloudWatch::Alarm": NameRule("AlarmName", 255, True, _regional("cloudwatch", "alarm:{name}")),
    "AWS::CloudWatch::Dashboard": NameRule(
        "DashboardName", 255, False, lambda name: f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{name}"
    ),
    "AWS::Scheduler::ScheduleGroup": NameRule(
        "Name", 64, True, _regional("scheduler", "schedule-group/{name}")
    ),
    "AWS::Scheduler::Schedule": NameRule("Name", 64, True, _regional("scheduler", "schedule/{name}")),
    "AWS::Events::Rule": NameRule("Name", 64, True, _regional("events", "rule/{name}")),
    "AWS::SecretsManager::Secret": NameRule(
        "Name", 512, False, _regional("secretsmanager", "secret:{name}-AbCdEf")
    ),
    "AWS::KMS::Key": NameRule(None, 36, False, _regional("kms", "key/{name}")),
    "AWS::ApiGateway::RestApi": NameRule(
        None, 10, False, lambda name: f"arn:aws:apigateway:{REGION}::/restapis/{name}"
    ),
}
# Ref gives the ARN, not the name, for these (CloudFormation's per-type return values).
REF_IS_ARN = {"AWS::StepFunctions::StateMachine", "AWS::SNS::Topic", "AWS::SecretsManager::Secret"}


@dataclass(frozen=True)
class Call:
    """One authorised API call of the deploy: what the role must be allowed."""

    action: str
    resource: str
    logical_id: str


class StackModel:
    """The translated template as CloudFormation would deploy it under `stack_name`."""

    def __init__(self, template: Mapping[str, Any], stack_name: str) -> None:
        self.template = template
        self.resources: Mapping[str, Any] = template["Resources"]
        self.stack_name = stack_name
        self.resolver = IntrinsicResolver(
            template, self._lookup, region=REGION, account_id=ACCOUNT, stack_name=stack_name
        )
        self._names: dict[str, str] = {}

    def properties(self, logical_id: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolver.resolve(
            self.resources[logical_id].get("Properties", {}), logical_id
        )
        return resolved

    def name(self, logical_id: str) -> str:
        """The physical name (a role's with its path, `/path/name`; a schedule's with its group)."""
        if logical_id not in self._names:
            self._names[logical_id] = self._physical_name(logical_id)
        return self._names[logical_id]

    def _physical_name(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        rule = RULES[kind]
        explicit = self.resources[logical_id].get("Properties", {}).get(rule.prop) if rule.prop else None
        if explicit is not None:
            name = str(self.resolver.resolve(explicit, logical_id))
        else:
            name = f"{self.stack_name}-{logical_id}-{SUFFIX}" if rule.with_stack else f"{logical_id}-{SUFFIX}"
            if len(name) > rule.limit:  # cut by CloudFormation: the stack prefix may not survive
                name = f"{logical_id}-{SUFFIX}"[-rule.limit :]
            name = name.lower() if rule.lowercase else name
        if kind == "AWS::IAM::Role":
            return f"{self._path(logical_id)}{name}"
        if kind == "AWS::Scheduler::Schedule":
            return f"{self.properties(logical_id).get('GroupName', 'default')}/{name}"
        return name

    def _path(self, logical_id: str) -> str:
        """A role's path, `/` unless it sets one."""
        path = self.resources[logical_id].get("Properties", {}).get("Path", "/")
        return str(self.resolver.resolve(path, logical_id))

    def arn(self, logical_id: str) -> str:
        return RULES[self.resources[logical_id]["Type"]].arn(self.name(logical_id))

    def _lookup(self, logical_id: str, attribute: str | None) -> str:
        kind = self.resources[logical_id]["Type"]
        if kind not in RULES:
            return f"{logical_id}.{attribute or 'Ref'}"
        if attribute == "Arn" or (attribute is None and kind in REF_IS_ARN):
            return self.arn(logical_id)
        if attribute is None and kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.name(logical_id)}"
        if attribute is None and kind == "AWS::IAM::Role":
            return self.name(logical_id).rsplit("/", 1)[1]
        return self.name(logical_id) if attribute is None else f"{logical_id}.{attribute}"

    def calls(self) -> Iterator[Call]:
        for logical_id, resource in self.resources.items():
            for action, target in _CALLS.get(resource["Type"], _no_calls)(self, logical_id):
                yield Call(action, target, logical_id)


Calls = Callable[[StackModel, str], list[tuple[str, str]]]


def _no_calls(_model: StackModel, _logical_id: str) -> list[tuple[str, str]]:
    return []


def _passes(model: StackModel, logical_id: str, *keys: str) -> list[tuple[str, str]]:
    """iam:PassRole for each role ARN the resource names under `keys` (a dotted path)."""
    found = []
    for key in keys:
        value: Any = model.properties(logical_id)
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str):
            found.append(("iam:PassRole", value))
    return found


def _role(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    properties, arn = model.properties(logical_id), model.arn(logical_id)
    calls = [("iam:CreateRole", arn)]
    calls += [("iam:PutRolePolicy", arn)] if properties.get("Policies") else []
    calls += [("iam:AttachRolePolicy", arn)] if properties.get("ManagedPolicyArns") else []
    calls += [("iam:TagRole", arn)] if properties.get("Tags") else []
    return calls


def _function(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    arn = model.arn(logical_id)
    tags = [("lambda:TagResource", arn)] if model.properties(logical_id).get("Tags") else []
    return [("lambda:CreateFunction", arn), *tags, *_passes(model, logical_id, "Role")]


def _state_machine(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    arn = model.arn(logical_id)
    tags = [("states:TagResource", arn)] if model.properties(logical_id).get("Tags") else []
    return [("states:CreateStateMachine", arn), *tags, *_passes(model, logical_id, "RoleArn")]


def _table(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    properties, arn = model.properties(logical_id), model.arn(logical_id)
    calls = [("dynamodb:CreateTable", arn)]
    calls += [("dynamodb:UpdateTimeToLive", arn)] if properties.get("TimeToLiveSpecification") else []
    calls += (
        [("dynamodb:UpdateContinuousBackups", arn)]
        if properties.get("PointInTimeRecoverySpecification")
        else []
    )
    return calls


def _bucket(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    properties, arn = model.properties(logical_id), model.arn(logical_id)
    settings = {
        "BucketEncryption": "s3:PutEncryptionConfiguration",
        "PublicAccessBlockConfiguration": "s3:PutBucketPublicAccessBlock",
        "LifecycleConfiguration": "s3:PutLifecycleConfiguration",
        "VersioningConfiguration": "s3:PutBucketVersioning",
        "OwnershipControls": "s3:PutBucketOwnershipControls",
        "Tags": "s3:PutBucketTagging",
    }
    return [("s3:CreateBucket", arn)] + [
        (action, arn) for key, action in settings.items() if key in properties
    ]


def _log_group(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    properties, arn = model.properties(logical_id), model.arn(logical_id)
    calls = [("logs:CreateLogGroup", arn)]
    calls += [("logs:PutRetentionPolicy", arn)] if "RetentionInDays" in properties else []
    calls += [("logs:AssociateKmsKey", arn)] if "KmsKeyId" in properties else []
    return calls


def _schedule(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    return [
        ("scheduler:CreateSchedule", model.arn(logical_id)),
        *_passes(model, logical_id, "Target.RoleArn"),
    ]


def _api_account(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
    account = f"arn:aws:apigateway:{REGION}::/account"
    return [("apigateway:PATCH", account), *_passes(model, logical_id, "CloudWatchRoleArn")]


def _single(action: str) -> Calls:
    return lambda model, logical_id: [(action, model.arn(logical_id))]


def _on_property(action: str, key: str, rule: str) -> Calls:
    """A policy attached to resources the property names (by Ref), e.g. a bucket policy's bucket."""

    def calls(model: StackModel, logical_id: str) -> list[tuple[str, str]]:
        value = model.properties(logical_id)[key]
        names = value if isinstance(value, list) else [value]
        return [(action, RULES[rule].arn(_name_of(str(name)))) for name in names]

    return calls


def _name_of(reference: str) -> str:
    """A queue's name from its URL; any other reference is already a name or an ARN's last part."""
    return reference.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


_CALLS: dict[str, Calls] = {
    "AWS::IAM::Role": _role,
    "AWS::Lambda::Function": _function,
    "AWS::Lambda::Permission": lambda model, logical_id: [
        (
            "lambda:AddPermission",
            RULES["AWS::Lambda::Function"].arn(_name_of(str(model.properties(logical_id)["FunctionName"]))),
        )
    ],
    "AWS::StepFunctions::StateMachine": _state_machine,
    "AWS::DynamoDB::Table": _table,
    "AWS::SQS::Queue": _single("sqs:CreateQueue"),
    "AWS::SQS::QueuePolicy": _on_property("sqs:SetQueueAttributes", "Queues", "AWS::SQS::Queue"),
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::BucketPolicy": _on_property("s3:PutBucketPolicy", "Bucket", "AWS::S3::Bucket"),
    "AWS::Logs::LogGroup": _log_group,
    "AWS::SNS::Topic": _single("sns:CreateTopic"),
    "AWS::SNS::TopicPolicy": _on_property("sns:SetTopicAttributes", "Topics", "AWS::SNS::Topic"),
    "AWS::CloudWatch::Alarm": _single("cloudwatch:PutMetricAlarm"),
    "AWS::CloudWatch::Dashboard": _single("cloudwatch:PutDashboard"),
    "AWS::Scheduler::ScheduleGroup": _single("scheduler:CreateScheduleGroup"),
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::Events::Rule": lambda model, logical_id: [
        ("events:PutRule", model.arn(logical_id)),
        ("events:PutTargets", model.arn(logical_id)),
    ],
    "AWS::SecretsManager::Secret": _single("secretsmanager:CreateSecret"),
    "AWS::KMS::Key": lambda _model, _logical_id: [("kms:CreateKey", "*")],
    "AWS::ApiGateway::RestApi": lambda _model, _logical_id: [
        ("apigateway:POST", f"arn:aws:apigateway:{REGION}::/restapis")
    ],
    "AWS::ApiGateway::Deployment": lambda _model, _logical_id: [
        ("apigateway:POST", f"arn:aws:apigateway:{REGION}::/restapis/api-id/deployments")
    ],
    "AWS::ApiGateway::Stage": lambda _model, _logical_id: [
        ("apigateway:POST", f"arn:aws:apigateway:{REGION}::/restapis/api-id/stages")
    ],
    "AWS::ApiGateway::Account": _api_account,
}
