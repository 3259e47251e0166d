"""buildspec.yml: pinned tools, every lint and scan, tests with a JUnit report, a container-free
`sam build`, `sam package`, and a `sam deploy` that names the samconfig environment."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.template.cfn import load_template

from .conftest import PIPELINES, REPO


def _commands(buildspec: dict[str, Any]) -> str:
    return "\n".join(
        command for phase in buildspec["phases"].values() for command in phase.get("commands", [])
    )


def test_buildspec_pins_python_and_tools(buildspec: dict[str, Any]) -> None:
    assert buildspec["phases"]["install"]["runtime-versions"]["python"] == "3.12"
    variables = buildspec["env"]["variables"]
    for name in ("SAM_CLI_VERSION", "CHECKOV_VERSION"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", variables[name]), name
    commands = _commands(buildspec)
    assert '"aws-sam-cli==${SAM_CLI_VERSION}"' in commands and '"checkov==${CHECKOV_VERSION}"' in commands
    assert "npm ci" in commands


def test_buildspec_runs_every_lint_and_scan(buildspec: dict[str, Any]) -> None:
    commands = _commands(buildspec).replace('"', "")  # "$EFW_VENV/bin/ruff" check -> .../ruff check
    for expected in ("ruff check", "ruff format --check", "mypy", "cfn-lint template.yaml pipeline/*.yaml",
                     "asl-validator", "checkov", "efw template check", "efw template expand",
                     "sam validate", "checkov --config-file .checkov.yaml"):  # fmt: skip
        assert expected in commands, expected
    for path in PIPELINES.values():
        assert f"pipeline/{path.name}" in commands


def test_buildspec_tests_report_junit(buildspec: dict[str, Any]) -> None:
    assert "--junitxml=reports/junit.xml" in _commands(buildspec)
    report = buildspec["reports"]["tests"]
    assert report == {"files": ["reports/junit.xml"], "file-format": "JUNITXML"}


def test_buildspec_builds_without_container_and_deploys_by_environment(buildspec: dict[str, Any]) -> None:
    commands = _commands(buildspec)
    assert "sam build" in commands and "--use-container" not in commands
    assert "sam package" in commands and "--output-template-file packaged.yaml" in commands
    deploy = commands[commands.index("sam deploy") :]
    for flag in ('--config-env "$ENV"', "--no-fail-on-empty-changeset", "--template-file packaged.yaml"):
        assert flag in deploy, flag
    assert set(buildspec["artifacts"]["files"]) >= {"packaged.yaml", "samconfig.toml", "buildspec.yml"}


def test_buildspec_steps_match_the_pipeline_projects(buildspec: dict[str, Any]) -> None:
    commands = _commands(buildspec)
    template = load_template(REPO / "pipeline" / "codecommit.yaml")
    for project, step in (("BuildProject", "build"), ("DeployProject", "deploy")):
        properties = template["Resources"][project]["Properties"]
        assert properties["Source"]["BuildSpec"] == "buildspec.yml"
        variables = {item["Name"] for item in properties["Environment"]["EnvironmentVariables"]}
        assert {"Name": "EFW_STEP", "Value": step} in properties["Environment"]["EnvironmentVariables"]
        assert f'"$EFW_STEP" = {step}' in commands
        referenced = set(re.findall(r"\$\{?([A-Z_]+)", commands)) & {"ARTIFACT_BUCKET", "ARTIFACT_KEY_ARN",
                                                                    "CLOUDFORMATION_ROLE_ARN"}  # fmt: skip
        assert referenced & variables, project


@pytest.mark.parametrize(
    ("package", "variable"), [("checkov", "CHECKOV_VERSION"), ("aws-sam-cli", "SAM_CLI_VERSION")]
)
def test_buildspec_tool_pins_match_the_dev_script(
    buildspec: dict[str, Any], package: str, variable: str
) -> None:
    script = (REPO / "dev").read_text(encoding="utf-8")
    assert f'"{package}=={buildspec["env"]["variables"][variable]}"' in script


def test_buildspec_skips_no_checks_on_the_command_line(buildspec: dict[str, Any]) -> None:
    """Every suppression lives on its resource, with its reason, where a reviewer sees it."""
    assert "--skip-check" not in _commands(buildspec)


def test_buildspec_build_hands_the_reprocess_step_fingerprints_and_the_wheel(
    buildspec: dict[str, Any],
) -> None:
    build = "\n".join(buildspec["phases"]["build"]["commands"])
    assert '"$EFW_VENV/bin/efw" fingerprints --out source-fingerprints.json' in build
    assert "wheel --quiet --no-deps --wheel-dir dist ." in build
    assert build.index('efw" fingerprints') > build.index("sam package")
    assert {"source-fingerprints.json", "dist/*.whl"} <= set(buildspec["artifacts"]["files"])
    assert buildspec["env"]["variables"]["EFW_DRY_RUN"] == "true", "without a setting, change nothing"


@pytest.mark.parametrize(("dry_run", "flags"), [("true", ["--dry-run"]), ("false", [])])
def test_buildspec_reprocess_step_runs_reprocess_changed_on_the_named_stack(
    buildspec: dict[str, Any], tmp_path: Path, dry_run: str, flags: list[str]
) -> None:
    """The step's shell, run for real with a stand-in `efw` that records its arguments."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    efw = bin_dir / "efw"
    efw.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$EFW_ARGS"\n')
    efw.chmod(0o755)
    environment = {
        "PATH": os.environ["PATH"],
        "EFW_STEP": "reprocess",
        "EFW_VENV": str(tmp_path / "venv"),
        "STACK_NAME": "efw-prod",
        "EFW_DRY_RUN": dry_run,
        "EFW_ARGS": str(tmp_path / "args"),
    }
    script = "\n".join(buildspec["phases"]["build"]["commands"])
    subprocess.run(["bash", "-c", script], env=environment, cwd=tmp_path, check=True, timeout=60)
    arguments = (tmp_path / "args").read_text().splitlines()
    assert arguments == [
        "reprocess-changed",
        "--stack",
        "efw-prod",
        "--fingerprints",
        "source-fingerprints.json",
        *flags,
    ]
