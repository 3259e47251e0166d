"""The deployed stack: template.yaml through the SAM translator (tests/template's offline fixture,
reused here) and into moto's CloudFormation, once per module, inside moto's in-process mock."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from ..template.conftest import REGION, template, translated
from .stack import MotoStack

__all__ = ["template", "translated"]  # tests/template's fixtures, shared rather than rewritten

FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@pytest.fixture(scope="module")
def stack(translated: dict[str, object]) -> Iterator[MotoStack]:
    # Module scope: the mock patches botocore process-wide, so it must end before other modules run.
    saved = {name: os.environ.get(name) for name in [*FAKE_ENVIRONMENT, "AWS_ENDPOINT_URL"]}
    os.environ.update(FAKE_ENVIRONMENT)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            deployed = MotoStack(dict(translated), region=REGION, stack_name="efw-deploy-test")
            deployed.deploy()
            yield deployed
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
