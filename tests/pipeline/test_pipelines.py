"""Structure of the three delivery pipelines: stages in order, the approval optional, artifacts
encrypted and versioned, each variant's source wired as documented, no wildcard actions, and the
parts the variants share kept identical."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import pytest

from .conftest import PIPELINES, REPO

SHARED = ("ArtifactKey", "ArtifactBucket", "ArtifactBucketPolicy", "BuildLogGroup", "BuildRole",
          "DeployProject", "DeployRole", "CloudFormationExecutionRole", "ReprocessProject",
          "ReprocessRole")  # fmt: skip
# Statements AWS only grants on "*": a key policy names its own key that way, and CloudWatch Logs'
# log-delivery actions used by Step Functions logging and kms:CreateKey have no resource-level
# permissions.
RESOURCE_STAR_ALLOWED = {
    "AccountAdministersTheKey",
    "BuildLogsUseTheKey",
    "LogDeliveryIsAccountWide",
    "KeyCreationIsAccountWide",
}
SAMCONFIG = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))


def _stages(template: dict[str, Any]) -> list[dict[str, Any]]:
    stages: list[dict[str, Any]] = template["Resources"]["Pipeline"]["Properties"]["Stages"]
    return stages


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        documents += [properties[key] for key in ("KeyPolicy", "PolicyDocument") if key in properties]
        for document in documents:
            found.extend(document["Statement"])
    return found


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_stages_run_in_delivery_order(name: str, pipelines: dict[str, dict[str, Any]]) -> None:
    stages = _stages(pipelines[name])
    assert [stage.get("Name") for stage in stages if "Fn::If" not in stage] == [
        "Source",
        "BuildAndTest",
        "DeployDev",
        "ReprocessDev",
        "DeployProd",
        "ReprocessProd",
    ]
    condition, approval, otherwise = stages[4]["Fn::If"]
    assert condition == "ApprovalRequired" and otherwise == {"Ref": "AWS::NoValue"}
    assert approval["Actions"][0]["ActionTypeId"]["Provider"] == "Manual"
    environments = [
        json.loads(stage["Actions"][0]["Configuration"]["EnvironmentVariables"])[0]["value"]
        for stage in (stages[2], stages[5])
    ]
    assert environments == ["default", "prod"]
    assert all(environment in SAMCONFIG for environment in environments)


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_reprocesses_after_each_deploy_dry_in_dev_for_real_in_prod(
    name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    """Each deploy stage is followed at once by a reprocess of the stack it just deployed, from the
    package it deployed; only the prod one publishes."""
    stages = {stage.get("Name"): index for index, stage in enumerate(_stages(pipelines[name]))}
    for deploy, reprocess, stack, dry_run in (
        ("DeployDev", "ReprocessDev", "DevStackName", "true"),
        ("DeployProd", "ReprocessProd", "ProdStackName", "false"),
    ):
        assert stages[reprocess] == stages[deploy] + 1
        (action,) = _stages(pipelines[name])[stages[reprocess]]["Actions"]
        assert action["ActionTypeId"] == {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild",
                                          "Version": "1"}  # fmt: skip
        assert action["Configuration"]["ProjectName"] == {"Ref": "ReprocessProject"}
        assert action["InputArtifacts"] == [{"Name": "Packaged"}]
        variables = json.loads(action["Configuration"]["EnvironmentVariables"]["Fn::Sub"])
        assert {item["name"]: item["value"] for item in variables} == {
            "STACK_NAME": f"${{{stack}}}",
            "EFW_DRY_RUN": dry_run,
        }
    project = pipelines[name]["Resources"]["ReprocessProject"]["Properties"]
    assert project["ServiceRole"] == {"Fn::GetAtt": ["ReprocessRole", "Arn"]}
    assert {"Name": "EFW_STEP", "Value": "reprocess"} in project["Environment"]["EnvironmentVariables"]


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_artifacts_are_encrypted_and_versioned(
    name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    resources = pipelines[name]["Resources"]
    bucket = resources["ArtifactBucket"]["Properties"]
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": ["ArtifactKey", "Arn"]
    }
    assert resources["ArtifactKey"]["Properties"]["EnableKeyRotation"] is True
    store = resources["Pipeline"]["Properties"]["ArtifactStore"]
    assert store["EncryptionKey"] == {"Id": {"Fn::GetAtt": ["ArtifactKey", "Arn"]}, "Type": "KMS"}
    for project in ("BuildProject", "DeployProject", "ReprocessProject"):
        assert resources[project]["Properties"]["EncryptionKey"] == {"Fn::GetAtt": ["ArtifactKey", "Arn"]}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_roles_name_actions_and_resources(name: str, pipelines: dict[str, dict[str, Any]]) -> None:
    for statement in _statements(pipelines[name]):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        # Deny statements may be broad (deny all of s3 without TLS); only what is allowed is scoped.
        if statement["Effect"] == "Allow" and statement.get("Sid") != "AccountAdministersTheKey":
            assert not [action for action in actions if action == "*" or action.endswith(":*")], statement
        if statement.get("Effect") == "Allow" and statement.get("Resource") == "*":
            assert statement.get("Sid") in RESOURCE_STAR_ALLOWED, statement


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_deploys_match_samconfig_stack_names(
    name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    parameters = pipelines[name]["Parameters"]
    assert parameters["DevStackName"]["Default"] == SAMCONFIG["default"]["deploy"]["parameters"]["stack_name"]
    assert parameters["ProdStackName"]["Default"] == SAMCONFIG["prod"]["deploy"]["parameters"]["stack_name"]


def test_pipeline_variants_share_everything_but_the_source(pipelines: dict[str, dict[str, Any]]) -> None:
    reference = pipelines["codecommit"]["Resources"]
    for name in ("github", "multi-source"):
        for logical_id in SHARED:
            assert pipelines[name]["Resources"][logical_id] == reference[logical_id], (name, logical_id)


def test_pipeline_codecommit_is_started_by_an_eventbridge_rule(pipelines: dict[str, dict[str, Any]]) -> None:
    template = pipelines["codecommit"]
    source = _stages(template)[0]["Actions"][0]
    assert source["ActionTypeId"]["Provider"] == "CodeCommit"
    assert source["Configuration"]["PollForSourceChanges"] is False
    rule = template["Resources"]["SourceChangeRule"]["Properties"]
    assert rule["EventPattern"]["source"] == ["aws.codecommit"]
    assert rule["EventPattern"]["detail"]["referenceName"] == [{"Ref": "BranchName"}]
    assert "${Pipeline}" in rule["Targets"][0]["Arn"]["Fn::Sub"]


@pytest.mark.parametrize("name", ["github", "multi-source"])
def test_pipeline_github_sources_use_a_connection_without_tokens(
    name: str, pipelines: dict[str, dict[str, Any]]
) -> None:
    template = pipelines[name]
    for action in _stages(template)[0]["Actions"]:
        assert action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
        assert action["Configuration"]["DetectChanges"] is True
    text = (REPO / "pipeline" / f"{name}.yaml").read_text(encoding="utf-8")
    assert not re.search(r"OAuthToken|PersonalAccessToken|Provider: GitHub$", text, re.MULTILINE)
    assert template["Resources"]["SourceConnection"]["Properties"]["ProviderType"] == "GitHub"


def test_pipeline_multi_source_merges_config_as_secondary_source(
    pipelines: dict[str, dict[str, Any]],
) -> None:
    template = pipelines["multi-source"]
    sources = [action["OutputArtifacts"][0]["Name"] for action in _stages(template)[0]["Actions"]]
    build = _stages(template)[1]["Actions"][0]
    assert sources == ["Source", "Config"]
    assert [artifact["Name"] for artifact in build["InputArtifacts"]] == ["Source", "Config"]
    assert build["Configuration"]["PrimarySource"] == "Source"
    variables = template["Resources"]["BuildProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    assert {"Name": "EFW_CONFIG_SOURCE", "Value": "Config"} in variables
    assert not any(resource["Type"] == "AWS::Lambda::Function" for resource in template["Resources"].values())


def test_pipeline_execution_role_covers_every_application_resource_type(
    pipelines: dict[str, dict[str, Any]], translated: dict[str, Any]
) -> None:
    """A resource type added to template.yaml needs its service in the deploy role, or deploys fail."""
    role = pipelines["codecommit"]["Resources"]["CloudFormationExecutionRole"]["Properties"]
    services = {
        action.split(":")[0]
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    needed = {
        {"stepfunctions": "states"}.get(kind.split("::")[1].lower(), kind.split("::")[1].lower())
        for kind in {resource["Type"] for resource in translated["Resources"].values()}
    }
    assert needed - services == set(), "add these services to CloudFormationExecutionRole in pipeline/*.yaml"
