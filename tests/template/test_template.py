"""Checks on template.yaml: the SAM transform works offline, cfn-lint finds no errors in the SAM
template nor in the CloudFormation it becomes, every handler imports, conventions hold."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.template.cfn import IntrinsicResolver

from .conftest import REPO, TEMPLATE

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
SHARED_VARIABLES = {
    "EFW_STATE_TABLE",
    "EFW_DEADLETTER_TABLE",
    "EFW_PAGE_BUCKET",
    "EFW_QUEUE_URL",
    "EFW_SECRET_PREFIX",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
}


def _lint(path: Path) -> list[str]:
    completed = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--", str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r":E\d{4}:", line)]
    assert completed.returncode in (0, 4, 8, 12) or errors, completed.stderr  # 4/8 = warnings/info only
    return errors


def test_template_sam_transform_succeeds_offline(translated: dict[str, Any]) -> None:
    resources = translated["Resources"]
    types = {resource["Type"] for resource in resources.values()}
    assert "AWS::StepFunctions::StateMachine" in types and "AWS::Lambda::Function" in types
    assert "AWS::Scheduler::Schedule" in types
    assert not any(kind.startswith("AWS::Serverless::") for kind in types)


def test_template_cfn_lint_sam_template_has_no_errors() -> None:
    assert _lint(TEMPLATE) == []


def test_template_cfn_lint_translated_template_has_no_errors(
    translated: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "translated.json"
    path.write_text(json.dumps(translated), encoding="utf-8")
    assert _lint(path) == []


def test_template_every_handler_imports_and_is_callable(template: dict[str, Any]) -> None:
    handlers = [
        resource["Properties"]["Handler"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    ]
    assert len(handlers) >= 3  # the pull steps, plus the functions of other workflows
    for handler in handlers:
        module_name, _, attribute = handler.rpartition(".")
        assert callable(getattr(importlib.import_module(module_name), attribute)), handler


def test_template_globals_set_the_shared_environment_once(template: dict[str, Any]) -> None:
    function = template["Globals"]["Function"]
    assert set(function["Environment"]["Variables"]) == SHARED_VARIABLES
    assert (function["Runtime"], function["Architectures"], function["Tracing"]) == (
        "python3.12",
        ["arm64"],
        "Active",
    )
    assert function["CodeUri"] == "functions/"
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            assert "Environment" not in resource["Properties"] and "CodeUri" not in resource["Properties"]


def test_template_has_no_hard_coded_physical_names(template: dict[str, Any]) -> None:
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Scheduler::Schedule":
            # A schedule's name is unique within its group, and the group is named after the stack.
            assert properties["GroupName"] == {"Ref": "PullScheduleGroup"}, logical_id
            continue
        if resource["Type"] == "AWS::Lambda::Permission":
            continue  # its FunctionName names the function it lets a rule invoke, not itself
        for key in ("TableName", "BucketName", "QueueName", "FunctionName", "LogGroupName", "Name"):
            value = properties.get(key)
            assert value is None or "Fn::Sub" in value, f"{logical_id}.{key} is a fixed physical name"


def test_template_outputs_each_have_a_description(template: dict[str, Any]) -> None:
    assert template["Outputs"]
    for name, output in template["Outputs"].items():
        assert output.get("Description"), name


@pytest.mark.parametrize(
    ("existing", "url"),
    [
        ("", "MozDefEventsQueue.Ref"),
        (
            "arn:aws:sqs:eu-west-1:111122223333:mozdef-events",
            "https://sqs.eu-west-1.amazonaws.com/111122223333/mozdef-events",
        ),
    ],
)
def test_template_queue_url_output_is_a_url_for_either_queue(
    template: dict[str, Any], existing: str, url: str
) -> None:
    """With MozDef's own queue (ExistingMozDefQueueArn), the output is its URL, not the ARN given."""
    resolver = IntrinsicResolver(
        template,
        lambda logical_id, attribute: f"{logical_id}.{attribute or 'Ref'}",
        region="us-east-1",
        account_id="123456789012",
        stack_name="efw",
        parameters={"ExistingMozDefQueueArn": existing},
    )
    assert resolver.resolve(template["Outputs"]["MozDefEventsQueueUrl"]["Value"]) == url


def test_template_state_machine_arns_come_from_substitutions(template: dict[str, Any]) -> None:
    machine = template["Resources"]["PullStateMachine"]["Properties"]
    definition = json.loads((REPO / machine["DefinitionUri"]).read_text(encoding="utf-8"))
    placeholders = set(re.findall(r"\$\{(\w+)\}", json.dumps(definition)))
    assert placeholders == set(machine["DefinitionSubstitutions"])
    assert "arn:aws:lambda" not in json.dumps(definition)


def test_template_functions_bundle_sources_and_schemas_via_makefile(template: dict[str, Any]) -> None:
    makefile = (REPO / "functions" / "Makefile").read_text(encoding="utf-8")
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Metadata"]["BuildMethod"] == "makefile"
            assert f"build-{logical_id}" in makefile
    assert "eventframework/bundled" in makefile


@pytest.mark.parametrize("name", ["pull.asl.json"])
def test_template_state_machine_files_are_json(name: str) -> None:
    assert json.loads((REPO / "statemachines" / name).read_text(encoding="utf-8"))["StartAt"]


def _statements(translated: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = translated["Resources"][role]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def test_template_reprocess_role_deletes_only_dead_letter_bodies(translated: dict[str, Any]) -> None:
    s3 = [
        statement
        for statement in _statements(translated, "ReprocessBatchFunctionRole")
        if any(str(action).startswith("s3:") for action in _as_list(statement["Action"]))
    ]
    deleting = [statement for statement in s3 if "s3:DeleteObject" in _as_list(statement["Action"])]
    assert [statement["Resource"] for statement in deleting] == [
        {"Fn::Sub": "${PageBucket.Arn}/deadletters/*"}
    ]
    assert all("*" not in str(statement["Action"]) for statement in s3)


def test_template_page_bucket_expires_orphaned_dead_letter_bodies_long_after_pages(
    template: dict[str, Any],
) -> None:
    rules = template["Resources"]["PageBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    by_prefix = {rule.get("Prefix"): rule for rule in rules if rule.get("Prefix")}
    page_days = template["Parameters"]["PageRetentionDays"]
    assert by_prefix["deadletters/"]["ExpirationInDays"] > page_days["MaxValue"]
    assert by_prefix["pages/"]["ExpirationInDays"] == {"Ref": "PageRetentionDays"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
