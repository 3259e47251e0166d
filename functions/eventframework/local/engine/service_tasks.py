"""AWS service integrations through boto3: optimised ones (`arn:aws:states:::dynamodb:putItem`) and
the generic `arn:aws:states:::aws-sdk:<service>:<action>` form.

Step Functions spells every parameter in PascalCase; boto3 wants the API's own member names, so keys
are matched case-insensitively against the botocore input shape. Service errors are renamed the way
Step Functions names them (`DynamoDB.ConditionalCheckFailedException`, `DynamoDb.…` for aws-sdk).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from botocore.model import ListShape, MapShape, Shape, StructureShape

from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.state.aws import container_session

# Error prefixes of the optimised integrations, as AWS documents them.
OPTIMISED_PREFIX: Mapping[str, str] = {
    "dynamodb": "DynamoDB",
    "sqs": "SQS",
    "sns": "SNS",
    "states": "StepFunctions",
}
# Service names in aws-sdk resource ARNs that differ from boto3's client names.
BOTO3_NAMES: Mapping[str, str] = {"sfn": "stepfunctions", "eventbridge": "events", "cloudwatchlogs": "logs"}
# aws-sdk error prefix: the service name in PascalCase (AWS documents e.g. `DynamoDb`, `AcmPca`).
SDK_PREFIX: Mapping[str, str] = {
    "dynamodb": "DynamoDb",
    "secretsmanager": "SecretsManager",
    "acmpca": "AcmPca",
}


@dataclass(frozen=True)
class AwsConfig:
    """Where service integrations go: an emulator endpoint locally, or real AWS with a profile."""

    endpoint_url: str | None = None
    region: str = "us-east-1"
    account_id: str = "123456789012"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None

    def __repr__(self) -> str:  # credentials never appear in logs or error messages
        return f"AwsConfig(endpoint_url={self.endpoint_url!r}, region={self.region!r})"


class ServiceCaller:
    """Calls AWS APIs for Task states and shapes their results and errors like Step Functions."""

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        name = BOTO3_NAMES.get(service, service)
        if name not in self._clients:
            make_client: Any = self._session().client  # boto3's overloads want a literal service name
            self._clients[name] = make_client(
                name, endpoint_url=self.config.endpoint_url, region_name=self.config.region
            )
        return self._clients[name]

    def _session(self) -> boto3.session.Session:
        """Explicit credentials get a session of their own; otherwise the handlers' shared session
        (boto3's default: the same environment credentials, and service models the process has
        usually parsed already; a client from a new session costs ~0.2 s more)."""
        if self.config.access_key_id is not None:
            return boto3.session.Session(
                aws_access_key_id=self.config.access_key_id,
                aws_secret_access_key=self.config.secret_access_key,
                aws_session_token=self.config.session_token,
                region_name=self.config.region,
            )
        return container_session()

    def call(self, service: str, action: str, parameters: Any, sdk: bool) -> Any:
        """Run `service:action` with Step Functions' PascalCase `parameters`; return its output."""
        client = self.client(service)
        operation = action[0].upper() + action[1:]
        model = client.meta.service_model
        if operation not in model.operation_names:
            raise StatesError(
                StatesErrorName.RUNTIME,
                f"The resource provided {service}:{action} is not a known {service} API action",
            )
        method = {api: py for py, api in client.meta.method_to_api_mapping.items()}[operation]
        input_shape = model.operation_model(operation).input_shape
        kwargs = to_api_names(parameters or {}, input_shape)
        try:
            response = getattr(client, method)(**kwargs)
        except ClientError as error:
            raise self._service_error(service, error, sdk) from None
        except BotoCoreError as error:
            raise StatesError(StatesErrorName.TASK_FAILED, f"{service}:{action} failed: {error}") from None
        return shape_response(response, sdk)

    def _service_error(self, service: str, error: ClientError, sdk: bool) -> StatesError:
        info = error.response.get("Error", {})
        name = type(error).__name__
        if name == "ClientError":
            name = str(info.get("Code", "UnknownError")).rsplit(".", 1)[-1]
        if sdk:
            prefix = SDK_PREFIX.get(service, service[0].upper() + service[1:])
            if not name.endswith("Exception"):
                name += "Exception"
        else:
            prefix = OPTIMISED_PREFIX.get(service, service.upper())
            if service == "sqs" and not name.endswith("Exception"):
                name += "Exception"
        meta = error.response.get("ResponseMetadata", {})
        cause = (
            f"{info.get('Message', str(error))} (Service: {service}; "
            f"Status Code: {meta.get('HTTPStatusCode', 400)}; Error Code: {info.get('Code', name)}; "
            f"Request ID: {meta.get('RequestId', '')}; Proxy: null)"
        )
        return StatesError(f"{prefix}.{name}", cause)


def to_api_names(value: Any, shape: Shape | None) -> Any:
    """Rename PascalCase keys to the botocore member names, recursively along the shape."""
    if shape is None:
        return value
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        members = {name.lower(): name for name in shape.members}
        renamed: dict[str, Any] = {}
        for key, item in value.items():
            member: str = members.get(str(key).lower(), str(key))
            renamed[member] = to_api_names(item, shape.members.get(member))
        return renamed
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [to_api_names(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        return {key: to_api_names(item, shape.value) for key, item in value.items()}
    if shape.type_name == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    return value


def shape_response(response: Mapping[str, Any], sdk: bool) -> Any:
    """JSON-safe output; optimised integrations keep the SDK metadata, aws-sdk ones drop it."""
    metadata = response.get("ResponseMetadata", {})
    body = {key: _json_safe(value, sdk) for key, value in response.items() if key != "ResponseMetadata"}
    if sdk:
        return body
    headers = dict(metadata.get("HTTPHeaders", {}))
    body["SdkHttpMetadata"] = {
        "AllHttpHeaders": {key: [value] for key, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": metadata.get("HTTPStatusCode", 200),
    }
    body["SdkResponseMetadata"] = {"RequestId": metadata.get("RequestId", "")}
    return body


def _json_safe(value: Any, sdk: bool) -> Any:
    if isinstance(value, Mapping):
        return {key: _json_safe(item, sdk) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(item, sdk) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "read"):  # botocore StreamingBody (s3:getObject Body)
        value = value.read()
    if isinstance(value, (bytes, bytearray)):
        return _text(bytes(value))
    return value


def _text(data: bytes) -> str:
    """Blobs as Step Functions shows them: UTF-8 text, or base64 when not text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii")
