"""Lambda functions run in-process: a LambdaContext look-alike and Lambda's error/response shapes.

A handler is any `(event, context) -> Any` callable. Its exception surfaces as Lambda reports an
unhandled Python error: the error name is the exception's class name and the cause is the JSON
text `{"errorMessage", "errorType", "requestId", "stackTrace"}`.
"""

from __future__ import annotations

import json
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from eventframework.local.engine.clock import Clock
from eventframework.local.engine.errors import StatesError

LambdaHandler = Callable[[Any, Any], Any]


@dataclass
class LambdaContext:
    """The attributes and method Lambda's Python runtime gives a handler (Powertools reads these)."""

    function_name: str
    invoked_function_arn: str
    clock: Clock = field(repr=False)
    deadline: datetime = field(repr=False)
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        day = self.clock.now().strftime("%Y/%m/%d")
        self.log_stream_name = self.log_stream_name or f"{day}/[$LATEST]{uuid.uuid4().hex}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - self.clock.now()).total_seconds() * 1000))


def function_name_of(arn_or_name: str) -> str:
    """`arn:aws:lambda:r:a:function:Name[:qualifier]` or `Name[:qualifier]` -> `Name`."""
    parts = arn_or_name.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return parts[0]


def invoke_handler(
    handler: LambdaHandler, event: Any, arn: str, clock: Clock, timeout_seconds: float = 900
) -> tuple[Any, str]:
    """Call the handler with a JSON round-tripped event; return (JSON-safe result, request id)."""
    context = LambdaContext(
        function_name=function_name_of(arn),
        invoked_function_arn=arn,
        clock=clock,
        deadline=clock.now() + timedelta(seconds=timeout_seconds),
    )
    payload = json.loads(json.dumps(event))
    try:
        result = handler(payload, context)
    except Exception as error:  # Lambda reports any unhandled exception this way
        raise lambda_error(error, context.aws_request_id) from error
    try:
        return json.loads(json.dumps(result)), context.aws_request_id
    except (TypeError, ValueError) as error:
        raise StatesError(
            "Runtime.MarshalError",
            json.dumps(
                {
                    "errorMessage": f"Unable to marshal response: {error}",
                    "errorType": "Runtime.MarshalError",
                    "requestId": context.aws_request_id,
                    "stackTrace": [],
                }
            ),
        ) from None


def lambda_error(error: BaseException, request_id: str) -> StatesError:
    """The Step Functions error for an unhandled exception in a Python Lambda handler."""
    error_type = type(error).__name__
    frames = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
    cause = {
        "errorMessage": str(error),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": [line.rstrip("\n") for line in frames],
    }
    return StatesError(error_type, json.dumps(cause))


def invoke_response(result: Any, request_id: str) -> dict[str, Any]:
    """The output of `arn:aws:states:::lambda:invoke`: Lambda's Invoke response as Step Functions shows it."""
    headers = {
        "Connection": "keep-alive",
        "Content-Type": "application/json",
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
    }
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": result,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
