"""A pipeline role's inline policies as moto's IAM evaluator reads them, and the one question both
role tests ask of them: is this call allowed (some statement permits it, none denies it)?"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.access_control import IAMPolicy, PermissionResult

from eventframework.local.template.cfn import IntrinsicResolver

REGION, ACCOUNT = "us-east-1", "123456789012"


def role_policies(pipeline: dict[str, Any], role: str, *, dev: str, prod: str) -> list[IAMPolicy]:
    """`role`'s policies with the pipeline's stack names set; other resources resolve to placeholders."""
    resolver = IntrinsicResolver(
        pipeline,
        lambda logical_id, attribute: f"arn:aws:test:::{logical_id}.{attribute or 'Ref'}",
        region=REGION,
        account_id=ACCOUNT,
        stack_name="efw-pipeline",
        parameters={"DevStackName": dev, "ProdStackName": prod},
    )
    properties = pipeline["Resources"][role]["Properties"]
    return [
        IAMPolicy(json.dumps(resolver.resolve(policy["PolicyDocument"]))) for policy in properties["Policies"]
    ]


def allowed(policies: list[IAMPolicy], action: str, resource: str) -> bool:
    results = [policy.is_action_permitted(action, resource) for policy in policies]
    return PermissionResult.DENIED not in results and PermissionResult.PERMITTED in results
