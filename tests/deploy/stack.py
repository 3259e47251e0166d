"""Create the translated template as a stack in moto's CloudFormation, in process.

moto's CloudFormation creates most of the application's resource types itself. For the rest it has
no model, or a model that misreads the template; each such gap has a work-around below, chosen so the
wiring the deployment test asserts is still made by the template's own values:

- AWS::SecretsManager::Secret: no moto model. Created through Secrets Manager *before* the stack,
  so a Ref to a secret from a kept resource is replaced by the secret's ARN, as CloudFormation would.
- AWS::Scheduler::ScheduleGroup, AWS::Scheduler::Schedule, AWS::S3::BucketPolicy,
  AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy, AWS::ApiGateway::Stage: no moto model. Applied
  through their service APIs *after* the stack, with every Ref/GetAtt/Sub resolved against the
  stack's physical resources (the project's one intrinsic-function evaluator,
  `eventframework.local.template.cfn.IntrinsicResolver`).
- AWS::ApiGateway::RestApi: moto demands `Name` (CloudFormation takes it from the Body's
  info.title) and ignores `Body`. The title is copied into Name, and after the stack the resolved
  Body is put with PutRestApi; moto reads only OpenAPI 3 there, so SAM's Swagger 2.0 body is
  relabelled (paths and x-amazon-apigateway-integration read the same in both). Its
  AWS::ApiGateway::Deployment then follows through CreateDeployment, since moto refuses to deploy
  an API without methods, which is what the stack would hold before the body is put.
- AWS::StepFunctions::StateMachine: moto ignores DefinitionSubstitutions, so the definition it
  stores still says `${FetchPageFunctionArn}`. After the stack the substitutions are resolved and
  applied, and the definition is updated, which is what CloudFormation hands Step Functions.
- AWS::IAM::Role inline policies: moto keeps a policy written inline in a template as the text of a
  Python dict rather than JSON; `policy_document` reads either.
- Types with no bearing on wiring (alarms, dashboards, the account-wide API Gateway settings) are
  left out; `IGNORED` lists them, and an unsupported type in neither list fails the test so a new
  resource type gets a decision rather than silently vanishing.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import boto3
from moto.cloudformation.parsing import get_model_map

from eventframework.local.template.cfn import IntrinsicResolver

ACCOUNT_ID = "123456789012"  # moto's default account
CODE_BUCKET, CODE_KEY = "efw-artifacts", "functions.zip"  # where tests/template's sam_ready puts code
BEFORE_STACK = {"AWS::SecretsManager::Secret"}
AFTER_STACK = {
    "AWS::Scheduler::ScheduleGroup",
    "AWS::Scheduler::Schedule",
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
}
# Before what names them: a deployment before its stages, a schedule group before its schedules.
AFTER_STACK_ORDER = {"AWS::ApiGateway::Deployment": -1, "AWS::Scheduler::ScheduleGroup": -1}
IGNORED = {
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::ApiGateway::Account",
    "AWS::CloudFormation::WaitConditionHandle",
}


class UnsupportedResourceError(AssertionError):
    """A resource type moto cannot create and this harness has no work-around for."""


class MotoStack:
    """The application deployed into moto: stack resources plus the work-arounds' resources."""

    def __init__(self, translated: dict[str, Any], *, region: str, stack_name: str) -> None:
        self.template = translated
        self.region = region
        self.stack_name = stack_name
        self.extra: dict[str, str] = {}  # logical id -> physical id of what the work-arounds made
        self.ignored: dict[str, str] = {}  # logical id -> type left out
        self._physical: dict[str, str] = {}
        self._resolver = IntrinsicResolver(
            translated, self.lookup, region=region, account_id=ACCOUNT_ID, stack_name=stack_name
        )

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region)  # type: ignore[call-overload]

    # ------------------------------------------------------------------ deployment
    def deploy(self) -> None:
        supported = set(get_model_map())
        kept, before, after = self._split(supported)
        self._upload_code()
        for logical_id in before:
            self.extra[logical_id] = self._create_secret(logical_id)
        body = self._stack_template(kept)
        self.client("cloudformation").create_stack(
            StackName=self.stack_name,
            TemplateBody=json.dumps(body),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        self._physical = {
            summary["LogicalResourceId"]: summary["PhysicalResourceId"]
            for page in self.client("cloudformation")
            .get_paginator("list_stack_resources")
            .paginate(StackName=self.stack_name)
            for summary in page["StackResourceSummaries"]
        }
        self._apply_rest_api_bodies()
        self._apply_definition_substitutions()
        after.sort(
            key=lambda logical_id: AFTER_STACK_ORDER.get(self.template["Resources"][logical_id]["Type"], 0)
        )
        for logical_id in after:
            self._apply_after(logical_id)

    def _split(self, supported: set[str]) -> tuple[list[str], list[str], list[str]]:
        kept: list[str] = []
        before: list[str] = []
        after: list[str] = []
        for logical_id, resource in self.template["Resources"].items():
            kind = resource["Type"]
            if kind in BEFORE_STACK:
                before.append(logical_id)
            elif kind in AFTER_STACK:
                after.append(logical_id)
            elif kind in IGNORED:
                self.ignored[logical_id] = kind
            elif kind in supported:
                kept.append(logical_id)
            else:
                raise UnsupportedResourceError(
                    f"{logical_id} ({kind}): moto's CloudFormation cannot create it; add a work-around "
                    "in tests/deploy/stack.py or, if it carries no wiring, list it in IGNORED"
                )
        return kept, before, after

    def _stack_template(self, kept: list[str]) -> dict[str, Any]:
        body = copy.deepcopy(self.template)
        body["Resources"] = {logical_id: body["Resources"][logical_id] for logical_id in kept}
        for resource in body["Resources"].values():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::ApiGateway::RestApi" and "Name" not in properties:
                properties["Name"] = self._resolver.resolve(properties["Body"]["info"]["title"])
        body = dict(self._replace_refs(body, set(self.extra)))
        body["Outputs"] = {
            name: output
            for name, output in body.get("Outputs", {}).items()
            if not self._mentions(output, set(self.ignored))
        }
        return body

    def _replace_refs(self, value: Any, created: set[str]) -> Any:
        """Replace Ref/GetAtt Arn to resources created before the stack with their ARNs."""
        if isinstance(value, list):
            return [self._replace_refs(item, created) for item in value]
        if not isinstance(value, dict):
            return value
        if value.keys() == {"Ref"} and value["Ref"] in created:
            return self.extra[value["Ref"]]
        if value.keys() == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in created:
            return self.extra[value["Fn::GetAtt"][0]]
        return {key: self._replace_refs(item, created) for key, item in value.items()}

    def _mentions(self, value: Any, names: set[str]) -> bool:
        text = json.dumps(value)
        return any(f'"{name}"' in text or f"${{{name}" in text for name in names)

    def _upload_code(self) -> None:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as bundle:
            bundle.writestr("placeholder.py", "# moto stores the code; nothing runs it here\n")
        s3 = self.client("s3")
        s3.create_bucket(Bucket=CODE_BUCKET)
        s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=archive.getvalue())

    # ------------------------------------------------------------------ references
    def of_type(self, kind: str) -> list[str]:
        """Logical ids of the template's resources of one type."""
        return [logical_id for logical_id, spec in self.template["Resources"].items() if spec["Type"] == kind]

    def physical(self, logical_id: str) -> str:
        """The physical id CloudFormation's Ref gives, for stack and work-around resources alike."""
        if logical_id in self._physical:
            return self._physical[logical_id]
        return self.extra[logical_id]

    def lookup(self, logical_id: str, attribute: str | None) -> str:
        physical = self.physical(logical_id)
        if attribute is None:
            return physical
        kind = self.template["Resources"][logical_id]["Type"]
        arn_of = self._arn_readers().get(kind)
        if attribute != "Arn" or arn_of is None:
            raise UnsupportedResourceError(f"GetAtt {logical_id}.{attribute} ({kind}) is not modelled here")
        return arn_of(physical)

    def _arn_readers(self) -> dict[str, Callable[[str], str]]:
        prefix = f"{self.region}:{ACCOUNT_ID}"
        return {
            "AWS::SQS::Queue": lambda url: self.client("sqs").get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"],
            "AWS::Lambda::Function": lambda name: self.client("lambda").get_function(FunctionName=name)[
                "Configuration"
            ]["FunctionArn"],
            "AWS::IAM::Role": lambda name: self.client("iam").get_role(RoleName=name)["Role"]["Arn"],
            "AWS::DynamoDB::Table": lambda name: self.client("dynamodb").describe_table(TableName=name)[
                "Table"
            ]["TableArn"],
            "AWS::KMS::Key": lambda key: self.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"],
            "AWS::S3::Bucket": lambda name: f"arn:aws:s3:::{name}",
            "AWS::Logs::LogGroup": lambda name: f"arn:aws:logs:{prefix}:log-group:{name}:*",
            "AWS::StepFunctions::StateMachine": lambda arn: arn,
            "AWS::SNS::Topic": lambda arn: arn,
            "AWS::SecretsManager::Secret": lambda arn: arn,
            "AWS::Events::Rule": lambda name: self.client("events").describe_rule(Name=name)["Arn"],
        }

    def properties(self, logical_id: str) -> dict[str, Any]:
        """A resource's properties with every intrinsic function evaluated against the stack."""
        resolved: dict[str, Any] = self._resolver.resolve(
            self.template["Resources"][logical_id].get("Properties", {}), logical_id
        )
        return resolved

    # ------------------------------------------------------------------ work-arounds
    def _create_secret(self, logical_id: str) -> str:
        properties = self.properties(logical_id)
        created = self.client("secretsmanager").create_secret(
            Name=properties["Name"],
            Description=properties.get("Description", ""),
            SecretString=properties.get("SecretString", "{}"),
        )
        return str(created["ARN"])

    def _apply_after(self, logical_id: str) -> None:
        kind = self.template["Resources"][logical_id]["Type"]
        properties = self.properties(logical_id)
        if kind == "AWS::Scheduler::ScheduleGroup":
            self.client("scheduler").create_schedule_group(Name=properties["Name"])
            self.extra[logical_id] = properties["Name"]
        elif kind == "AWS::Scheduler::Schedule":
            self.client("scheduler").create_schedule(
                Name=properties["Name"],
                GroupName=properties.get("GroupName", "default"),
                ScheduleExpression=properties["ScheduleExpression"],
                FlexibleTimeWindow=properties["FlexibleTimeWindow"],
                State=properties.get("State", "ENABLED"),
                Target=properties["Target"],
            )
            self.extra[logical_id] = properties["Name"]
        elif kind == "AWS::S3::BucketPolicy":
            policy = json.dumps(properties["PolicyDocument"])
            self.client("s3").put_bucket_policy(Bucket=properties["Bucket"], Policy=policy)
        elif kind == "AWS::SQS::QueuePolicy":
            for url in properties["Queues"]:
                attributes = {"Policy": json.dumps(properties["PolicyDocument"])}
                self.client("sqs").set_queue_attributes(QueueUrl=url, Attributes=attributes)
        elif kind == "AWS::SNS::TopicPolicy":
            for topic in properties["Topics"]:
                policy = json.dumps(properties["PolicyDocument"])
                self.client("sns").set_topic_attributes(
                    TopicArn=topic, AttributeName="Policy", AttributeValue=policy
                )
        elif kind == "AWS::ApiGateway::Deployment":
            created = self.client("apigateway").create_deployment(
                restApiId=properties["RestApiId"],
                stageName=properties.get("StageName", ""),
                description=properties.get("Description", ""),
            )
            self.extra[logical_id] = created["id"]
        elif kind == "AWS::ApiGateway::Stage":
            self.client("apigateway").create_stage(
                restApiId=properties["RestApiId"],
                stageName=properties["StageName"],
                deploymentId=properties["DeploymentId"],
                tracingEnabled=bool(properties.get("TracingEnabled", False)),
            )

    def _apply_definition_substitutions(self) -> None:
        for logical_id in self.of_type("AWS::StepFunctions::StateMachine"):
            properties = self.properties(logical_id)
            definition = str(properties.get("DefinitionString", ""))
            for name, value in (properties.get("DefinitionSubstitutions") or {}).items():
                definition = definition.replace("${" + name + "}", str(value))
            self.client("stepfunctions").update_state_machine(
                stateMachineArn=self.physical(logical_id), definition=definition
            )

    def _apply_rest_api_bodies(self) -> None:
        for logical_id in self.of_type("AWS::ApiGateway::RestApi"):
            if "Body" not in self.template["Resources"][logical_id]["Properties"]:
                continue
            body = self.properties(logical_id)["Body"]
            body.pop("swagger", None)
            body["openapi"] = "3.0.1"
            self.client("apigateway").put_rest_api(
                restApiId=self.physical(logical_id), mode="overwrite", body=json.dumps(body).encode()
            )


def policy_document(document: str | dict[str, Any]) -> dict[str, Any]:
    """An IAM policy document as moto returns it: a dict, JSON text, or a Python dict's text."""
    if isinstance(document, dict):
        return document
    try:
        parsed: dict[str, Any] = json.loads(document)
    except json.JSONDecodeError:
        parsed = ast.literal_eval(document)
    return parsed
