"""Create the template's tables in the emulator, name its queues and buckets, and answer Ref/GetAtt.

A local run does not deploy the stack: it creates, with boto3, the tables the handlers and the state
machine touch, named after their logical ids, and remembers the physical names and ARNs of every
data-bearing resource so the template's intrinsic functions (environment variables, definition
substitutions) resolve to them. Queues and buckets are named and addressed as AWS would but not
created: a local deployment answers for them itself (the MozDef queue is a file, `local_queue.py`;
the page bucket a directory, `local_bucket.py`). Compute resources (functions, the state machine)
are bound by the engine.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from eventframework.local.template.cfn import IntrinsicResolver, TemplateError

ACCOUNT_ID = "123456789012"


@dataclass
class ProvisionedResource:
    """What Ref and GetAtt answer for one created resource."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


class Provisioner:
    """Create the emulated tables of a template, name its other stores, resolve references to them."""

    def __init__(self, template: Mapping[str, Any], *, region: str, stack_name: str) -> None:
        self.template = template
        self.region = region
        self.stack_name = stack_name
        self.resources: dict[str, ProvisionedResource] = {}
        self.resolver = IntrinsicResolver(
            template, self.lookup, region=region, account_id=ACCOUNT_ID, stack_name=stack_name
        )
        self._creators: dict[str, Callable[[str, Mapping[str, Any]], ProvisionedResource]] = {
            "AWS::SQS::Queue": self._declare_queue,
            "AWS::DynamoDB::Table": self._create_table,
            "AWS::Serverless::SimpleTable": self._create_simple_table,
            "AWS::S3::Bucket": self._declare_bucket,
        }

    @functools.cached_property
    def _dynamodb(self) -> Any:
        """One client for the whole provisioning (each costs ~30 ms to build)."""
        return boto3.client("dynamodb", region_name=self.region)

    def physical_name(self, logical_id: str) -> str:
        return f"{self.stack_name}-{logical_id}".lower()[:63]

    def provision(self) -> None:
        """Create (or, for queues and buckets, name) every supported resource the template wants."""
        for logical_id, spec in self.template["Resources"].items():
            creator = self._creators.get(spec.get("Type", ""))
            if creator is None or not self._wanted(spec):
                continue
            self.resources[logical_id] = creator(logical_id, spec.get("Properties") or {})

    def _wanted(self, spec: Mapping[str, Any]) -> bool:
        condition = spec.get("Condition")
        return condition is None or self.resolver.condition(condition)

    def lookup(self, logical_id: str, attribute: str | None) -> str:
        """Answer Ref (attribute None) or GetAtt for a provisioned or a pseudo resource."""
        resource = self.resources.get(logical_id)
        if resource is None:
            spec = self.template["Resources"].get(logical_id, {})
            return self._arn_for_unprovisioned(logical_id, spec.get("Type", ""), attribute)
        if attribute is None:
            return resource.ref
        if attribute not in resource.attributes:
            raise TemplateError(f"Resources.{logical_id}", f"GetAtt attribute {attribute!r} is not emulated")
        return resource.attributes[attribute]

    def _arn_for_unprovisioned(self, logical_id: str, resource_type: str, attribute: str | None) -> str:
        """ARNs for compute resources the engine binds itself (functions, state machines)."""
        prefix = f"arn:aws:{{service}}:{self.region}:{ACCOUNT_ID}"
        if resource_type in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return prefix.format(service="lambda") + f":function:{logical_id}"
        if resource_type in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            arn = prefix.format(service="states") + f":stateMachine:{logical_id}"
            return logical_id if attribute == "Name" else arn
        return prefix.format(service="local") + f":{logical_id}"

    def _declare_queue(self, logical_id: str, properties: Mapping[str, Any]) -> ProvisionedResource:
        name = self.physical_name(logical_id)
        if properties.get("FifoQueue"):
            name += ".fifo"
        url = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT_ID}/{name}"  # AWS's own form
        arn = f"arn:aws:sqs:{self.region}:{ACCOUNT_ID}:{name}"
        return ProvisionedResource(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    def _create_table(self, logical_id: str, properties: Mapping[str, Any]) -> ProvisionedResource:
        return self._table(logical_id, properties["KeySchema"], properties["AttributeDefinitions"])

    def _create_simple_table(self, logical_id: str, properties: Mapping[str, Any]) -> ProvisionedResource:
        key = properties.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        kind = {"String": "S", "Number": "N", "Binary": "B"}[key["Type"]]
        return self._table(
            logical_id,
            [{"AttributeName": key["Name"], "KeyType": "HASH"}],
            [{"AttributeName": key["Name"], "AttributeType": kind}],
        )

    def _table(self, logical_id: str, key_schema: Any, attributes: Any) -> ProvisionedResource:
        name = self.physical_name(logical_id)
        self._dynamodb.create_table(
            TableName=name,
            KeySchema=key_schema,
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
        )
        arn = f"arn:aws:dynamodb:{self.region}:{ACCOUNT_ID}:table/{name}"
        return ProvisionedResource(name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"})

    def _declare_bucket(self, logical_id: str, properties: Mapping[str, Any]) -> ProvisionedResource:
        name = self.physical_name(logical_id)
        return ProvisionedResource(
            name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}
        )

    def function_environment(self) -> dict[str, str]:
        """The Globals function environment, resolved; the same for every function by convention."""
        variables = (
            ((self.template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
        ).get("Variables") or {}
        resolved = self.resolver.resolve(variables, "Globals.Function.Environment.Variables")
        return {key: str(value) for key, value in resolved.items()}

    def tables_by_logical_id(self) -> dict[str, str]:
        return {
            logical_id: resource.ref
            for logical_id, resource in self.resources.items()
            if self.template["Resources"][logical_id]["Type"]
            in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
        }
