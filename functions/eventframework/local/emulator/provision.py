"""Create the template's stores (queues, tables, buckets) in the emulator and answer Ref/GetAtt for them.

A local run does not deploy the stack: it creates, with boto3, the data-bearing resources the
handlers and the state machine touch, named after their logical ids, and remembers their physical
names and ARNs so the template's intrinsic functions (environment variables, definition
substitutions) resolve to them. Compute resources (functions, the state machine) are bound by the
engine instead.
"""

from __future__ import annotations

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
    """Create the emulated stores of a template and resolve references to them."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        region: str,
        stack_name: str,
        declared_only: frozenset[str] = frozenset(),
    ) -> None:
        """`declared_only`: resource types named and addressed as AWS would (Ref, GetAtt) but not
        created in the emulator, because the caller answers for them itself."""
        self.template = template
        self.declared_only = declared_only
        self.region = region
        self.stack_name = stack_name
        self.resources: dict[str, ProvisionedResource] = {}
        self.resolver = IntrinsicResolver(
            template, self.lookup, region=region, account_id=ACCOUNT_ID, stack_name=stack_name
        )
        self._creators: dict[str, Callable[[str, Mapping[str, Any]], ProvisionedResource]] = {
            "AWS::SQS::Queue": self._create_queue,
            "AWS::DynamoDB::Table": self._create_table,
            "AWS::Serverless::SimpleTable": self._create_simple_table,
            "AWS::S3::Bucket": self._create_bucket,
        }
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        """One boto3 client per service for the whole provisioning (each costs ~30 ms to build)."""
        client = self._clients.get(service)
        if client is None:
            client = self._clients[service] = boto3.client(service, region_name=self.region)  # type: ignore[call-overload]
        return client

    def physical_name(self, logical_id: str) -> str:
        return f"{self.stack_name}-{logical_id}".lower()[:63]

    def provision(self) -> None:
        """Create every supported resource, queues first so redrive targets exist."""
        ordered = sorted(
            self.template["Resources"].items(), key=lambda item: item[1].get("Type") != "AWS::SQS::Queue"
        )
        for logical_id, spec in ordered:
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

    def _create_queue(self, logical_id: str, properties: Mapping[str, Any]) -> ProvisionedResource:
        name = self.physical_name(logical_id)
        if properties.get("FifoQueue"):
            name += ".fifo"
        attributes: dict[Any, str] = {"FifoQueue": "true"} if properties.get("FifoQueue") else {}
        if "AWS::SQS::Queue" in self.declared_only:
            url = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT_ID}/{name}"  # AWS's own form
        else:
            url = self._client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
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
        dynamodb = self._client("dynamodb")
        name = self.physical_name(logical_id)
        dynamodb.create_table(
            TableName=name,
            KeySchema=key_schema,
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
        )
        arn = f"arn:aws:dynamodb:{self.region}:{ACCOUNT_ID}:table/{name}"
        return ProvisionedResource(name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"})

    def _create_bucket(self, logical_id: str, properties: Mapping[str, Any]) -> ProvisionedResource:
        name = self.physical_name(logical_id)
        if "AWS::S3::Bucket" not in self.declared_only:
            s3 = self._client("s3")
            if self.region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
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
