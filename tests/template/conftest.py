"""Fixtures for the template checks: the repository root, the parsed template and its SAM transform."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.template.cfn import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
REGION = "us-east-1"

# The managed policies SAM attaches by name; the real loader would ask IAM for their ARNs.
MANAGED_POLICIES = {
    name: f"arn:aws:iam::aws:policy/{path}{name}"
    for name, path in {
        "AWSLambdaBasicExecutionRole": "service-role/",
        "AWSXrayWriteOnlyAccess": "",
        "AWSXRayDaemonWriteAccess": "",
        "AWSLambdaRole": "service-role/",
    }.items()
}


class OfflinePolicyLoader:
    """A managed-policy loader that needs no AWS credentials or network."""

    def load(self) -> dict[str, str]:
        return dict(MANAGED_POLICIES)


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def sam_ready(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` would hand the translator: code in S3, the definition inline."""
    ready = copy.deepcopy(template)
    ready["Globals"]["Function"]["CodeUri"] = "s3://efw-artifacts/functions.zip"
    for resource in ready["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in properties:
            path = REPO / properties.pop("DefinitionUri")
            properties["Definition"] = json.loads(path.read_text(encoding="utf-8"))
    return ready


@pytest.fixture(scope="session")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    import os

    from samtranslator.translator.transform import transform

    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        result: dict[str, Any] = transform(sam_ready(template), {}, OfflinePolicyLoader())
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous
    return result
