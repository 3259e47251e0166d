"""The IAM actions each Lambda handler's AWS calls need, and on what, recorded while the handlers run.

Every boto3 call goes through `BaseClient._make_api_call`; while `recording` is active it notes the
call's IAM action(s) and the resource it names (a table, a bucket and the key's first segment, a
queue, a secret) under the handler whose `lambda_handler` is on the stack (a context variable set by
a wrapper around each handler module's entry point). What the scenarios make the handlers call is
then exactly what their roles must grant (test_least_privilege.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType
from typing import Any

from botocore.client import BaseClient

_function: ContextVar[str | None] = ContextVar("function", default=None)

# Operations whose IAM action is not `<prefix>:<operation>` (each service's authorization reference).
RENAMED = {
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",
    ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("dynamodb", "TransactGetItems"): "dynamodb:GetItem",
}
# TransactWriteItems is authorised item by item, by each item's kind.
TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


Need = tuple[str, str]  # (IAM action, the resource the call named)


def _resource(params: Mapping[str, Any]) -> str:
    if "TableName" in params:
        return str(params["TableName"])
    if "Bucket" in params:
        return f"{params['Bucket']}/{str(params.get('Key', '')).split('/', 1)[0]}"
    return str(params.get("QueueUrl") or params.get("SecretId") or "*")


def iam_needs(prefix: str, operation: str, params: Mapping[str, Any]) -> set[Need]:
    if (prefix, operation) == ("dynamodb", "TransactWriteItems"):
        return {
            (TRANSACT_ITEM_ACTIONS[kind], _resource(body))
            for item in params["TransactItems"]
            for kind, body in item.items()
        }
    return {(RENAMED.get((prefix, operation), f"{prefix}:{operation}"), _resource(params))}


@contextmanager
def recording(handlers: Mapping[str, ModuleType]) -> Iterator[dict[str, set[Need]]]:
    """`handlers`: function logical id -> its handler module. Yields function -> (action, resource)."""
    recorded: dict[str, set[Need]] = defaultdict(set)
    original_call = BaseClient._make_api_call

    def record(client: BaseClient, operation: str, params: Mapping[str, Any]) -> Any:
        function = _function.get()
        if function is not None:
            prefix = client.meta.service_model.signing_name
            recorded[function] |= iam_needs(prefix, operation, params)
        return original_call(client, operation, params)

    originals = {module: module.lambda_handler for module in handlers.values()}
    for function, module in handlers.items():
        module.lambda_handler = _attributed(function, originals[module])
    BaseClient._make_api_call = record  # type: ignore[attr-defined]
    try:
        yield recorded
    finally:
        BaseClient._make_api_call = original_call  # type: ignore[attr-defined]
        for module, handler in originals.items():
            module.lambda_handler = handler


def _attributed(function: str, handler: Any) -> Any:
    def wrapped(event: Any, context: Any) -> Any:
        token = _function.set(function)
        try:
            return handler(event, context)
        finally:
            _function.reset(token)

    return wrapped
