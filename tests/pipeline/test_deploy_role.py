"""The pipelines' CloudFormation execution role can create everything the application stack creates.

The translated template is deployed in thought (deploy_calls.py): each resource gets the physical
name and ARN CloudFormation gives it under the stack name, and each create, tag and pass-role call
the deploy makes is evaluated against the role's policy with moto's IAM policy evaluator (Action,
Resource and wildcards as IAM matches them). For the shortest and the longest stack names the
pipelines accept, as dev and as prod: a name CloudFormation would cut short, or one outside the
role's prefixes, fails here instead of mid-deploy.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from moto.iam.access_control import IAMPolicy

from eventframework.local.template.cfn import load_source_template

from .conftest import REPO
from .deploy_calls import RULES, Call, StackModel
from .role_policies import allowed, role_policies

PIPELINES = ("codecommit", "github", "multi-source")
STACK_NAME_PARAMETERS = ("DevStackName", "ProdStackName")


def _stack_names(pipeline: dict[str, Any]) -> list[str]:
    """The shortest and the longest names the pipeline's stack-name parameter accepts."""
    pattern = pipeline["Parameters"]["DevStackName"]["AllowedPattern"]
    match = re.fullmatch(r"\^\[a-zA-Z\]\[a-zA-Z0-9-\]\{0,(\d+)\}\$", pattern)
    assert match, f"the stack-name pattern {pattern!r} no longer bounds the length this test reads"
    longest = 1 + int(match.group(1))
    return ["a", ("mozdef-event-framework-" + "x" * longest)[:longest]]


def _execution_policies(pipeline: dict[str, Any], dev: str, prod: str) -> list[IAMPolicy]:
    return role_policies(pipeline, "CloudFormationExecutionRole", dev=dev, prod=prod)


def _allowed(policies: list[IAMPolicy], call: Call) -> bool:
    return allowed(policies, call.action, call.resource)


@pytest.mark.parametrize("pipeline_name", PIPELINES)
def test_deploy_role_can_create_every_resource_of_the_stack(
    pipeline_name: str, pipelines: dict[str, dict[str, Any]], translated: dict[str, Any]
) -> None:
    pipeline = pipelines[pipeline_name]
    for name in _stack_names(pipeline):
        for dev, prod in ((name, "other-prod"), ("other-dev", name)):
            policies = _execution_policies(pipeline, dev, prod)
            model = StackModel(translated, name)
            denied = [call for call in model.calls() if not _allowed(policies, call)]
            assert not denied, f"{pipeline_name}: stack {name!r}: the deploy role may not " + "; ".join(
                f"{call.action} on {call.resource} ({call.logical_id})" for call in denied[:8]
            )


@pytest.mark.parametrize("pipeline_name", PIPELINES)
def test_deploy_role_names_fit_their_services_limits(
    pipeline_name: str, pipelines: dict[str, dict[str, Any]], translated: dict[str, Any]
) -> None:
    """Every explicit name, for the longest stack name, is within its service's limit (a name the
    template sets is not cut short: too long, the create fails)."""
    longest = _stack_names(pipelines[pipeline_name])[-1]
    model = StackModel(translated, longest)
    for logical_id, resource in translated["Resources"].items():
        rule = RULES.get(resource["Type"])
        if rule is None or rule.prop is None or rule.prop not in resource.get("Properties", {}):
            continue
        name = model.name(logical_id).rsplit("/", 1)[-1]
        assert len(name) <= rule.limit, f"{logical_id}: {name!r} is over {rule.limit} characters"


def test_deploy_role_model_would_catch_a_resource_outside_the_prefixes(
    pipelines: dict[str, dict[str, Any]], translated: dict[str, Any]
) -> None:
    """The check is sensitive: a state machine CloudFormation names itself (`<logical id>-<suffix>`)
    and a role without the stack's path are both refused."""
    unnamed = {
        **translated,
        "Resources": {
            "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
            "Loose": {"Type": "AWS::IAM::Role", "Properties": {"Policies": []}},
        },
    }
    policies = _execution_policies(pipelines["codecommit"], "efw-dev", "efw-prod")
    denied = {
        call.logical_id for call in StackModel(unnamed, "efw-dev").calls() if not _allowed(policies, call)
    }
    assert denied == {"Machine", "Loose"}


@pytest.mark.parametrize("pipeline_name", PIPELINES)
def test_deploy_roles_may_use_every_transform_the_template_declares(
    pipeline_name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    """CreateChangeSet is authorised on each transform's ARN too (AWS::LanguageExtensions for the
    Fn::ForEach loops, then the SAM transform); one missing fails the deploy at the change set."""
    declared = load_source_template(REPO / "template.yaml")["Transform"]
    assert "AWS::LanguageExtensions" in declared
    for role in ("DeployRole", "CloudFormationExecutionRole"):
        policies = role_policies(pipelines[pipeline_name], role, dev="efw-dev", prod="efw-prod")
        for transform in declared:
            arn = f"arn:aws:cloudformation:us-east-1:aws:transform/{transform.removeprefix('AWS::')}"
            assert allowed(policies, "cloudformation:CreateChangeSet", arn), f"{role}: {transform}"
