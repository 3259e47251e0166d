"""cfn-lint and the checkov security scan over the pipeline templates and template.yaml: no errors,
no failed checks, and every suppression carries a written reason: on the resource (Metadata) or, for
a Lambda check whose reason holds for every function, once in .checkov.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PIPELINES, REPO, SCANNED

SCANNED_NAMES = [str(path.relative_to(REPO)) for path in SCANNED]


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_cfn_lint_finds_no_errors(name: str, cfn_lint_errors: dict[str, list[str]]) -> None:
    assert cfn_lint_errors[name] == []


@pytest.mark.parametrize("name", SCANNED_NAMES)
def test_security_scan_finds_no_failed_checks(name: str, checkov_results: dict[str, dict[str, Any]]) -> None:
    result = checkov_results[name]
    failed = [f"{check['check_id']} {check['resource']}: {check['check_name']}" for check in result["failed"]]
    assert failed == [], "fix these, or skip them in the resource's Metadata with a reason"
    assert result["passed"] > 0, "checkov scanned nothing: is the file still a CloudFormation template?"


@pytest.mark.parametrize("name", SCANNED_NAMES)
def test_security_scan_suppressions_each_have_a_reason(
    name: str, checkov_results: dict[str, dict[str, Any]]
) -> None:
    for check in checkov_results[name]["skipped"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.split()) >= 5, (
            f"{check['check_id']} on {check['resource']} is skipped without a reason"
        )


def test_security_scan_config_skips_each_have_a_reason(checkov_config_skips: dict[str, str]) -> None:
    assert checkov_config_skips, ".checkov.yaml skips nothing: drop it, or say what it is for"
    for check, reason in checkov_config_skips.items():
        assert len(reason.split()) >= 5, f"{check} is skipped in .checkov.yaml without a reason above it"


def test_security_scan_config_skips_only_function_checks(
    checkov_config_skips: dict[str, str], checkov_entities: dict[str, set[str]]
) -> None:
    """A check skipped in .checkov.yaml is skipped for every resource: only checks that read nothing
    but Lambda functions may be, so the skip means exactly "every function"."""
    functions = {"AWS::Lambda::Function", "AWS::Serverless::Function"}
    for check in checkov_config_skips:
        assert checkov_entities.get(check), f"{check} is not one of checkov's CloudFormation checks"
        assert checkov_entities[check] <= functions, f"{check} applies to {checkov_entities[check]}"
