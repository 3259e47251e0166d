"""Fixtures for the delivery checks: the pipeline templates, buildspec.yml, and one cfn-lint and one
checkov run over every template. Both tools take seconds of CPU to start, so each runs once per
test session, shared between pytest-xdist workers through a locked file in the session's temp root.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventframework.local.commands.template import expanded_json
from eventframework.local.template.cfn import load_template

from ..template.conftest import template, translated

__all__ = ["template", "translated"]  # tests/template's offline SAM translation, shared

REPO = Path(__file__).resolve().parents[2]
PIPELINES = {path.stem: path for path in sorted((REPO / "pipeline").glob("*.yaml"))}
SCANNED = [REPO / "template.yaml", *PIPELINES.values()]
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
# Where `./dev test` installs checkov: a virtualenv of its own, since checkov pins boto3, networkx and
# packaging below the project's versions.
CHECKOV_VENV = REPO / ".venv" / "checkov" / "bin" / "checkov"
# The checks skipped for every resource, each with its reason (the buildspec passes the same file).
CHECKOV_CONFIG = REPO / ".checkov.yaml"


@pytest.fixture(scope="session")
def pipelines() -> dict[str, dict[str, Any]]:
    return {name: load_template(path) for name, path in PIPELINES.items()}


@pytest.fixture(scope="session")
def buildspec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "buildspec.yml").read_text(encoding="utf-8"))
    return document


def _once_per_session(
    factory: pytest.TempPathFactory, worker_id: str, name: str, produce: Callable[[], Any]
) -> Any:
    """Run `produce` once for the whole session: the first xdist worker runs it, the others read."""
    if worker_id == "master":
        return produce()
    root = factory.getbasetemp().parent
    result = root / f"{name}.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            result.write_text(json.dumps(produce()), encoding="utf-8")
    return json.loads(result.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def cfn_lint_errors(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, list[str]]:
    """cfn-lint errors (not warnings) of each pipeline template, keyed by file stem."""
    errors: dict[str, list[str]] = _once_per_session(tmp_path_factory, worker_id, "cfn-lint", _cfn_lint)
    return errors


def _cfn_lint() -> dict[str, list[str]]:
    completed = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--", *map(str, PIPELINES.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode in (0, 2, 4, 6, 8, 10, 12, 14), completed.stderr
    errors: dict[str, list[str]] = {name: [] for name in PIPELINES}
    for line in completed.stdout.splitlines():
        if re.search(r":E\d{4}:", line):
            errors[Path(line.split(":", 1)[0]).stem].append(line)
    return errors


def _checkov_executable() -> str | None:
    configured = os.environ.get("EFW_CHECKOV")
    if configured:
        return configured
    if CHECKOV_VENV.exists():
        return str(CHECKOV_VENV)
    return shutil.which("checkov")


@pytest.fixture(scope="session")
def checkov_results(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, dict[str, Any]]:
    """checkov's CloudFormation results per scanned file (relative path), from one run over all."""
    executable = _checkov_executable()
    if executable is None:
        message = "checkov is not installed: `./dev test` installs it into .venv/checkov"
        if os.environ.get("CI") or os.environ.get("CODEBUILD_BUILD_ID"):
            pytest.fail(message)
        pytest.skip(message)
    results: dict[str, dict[str, Any]] = _once_per_session(
        tmp_path_factory, worker_id, "checkov", lambda: _checkov(executable)
    )
    return results


@pytest.fixture(scope="session")
def checkov_config_skips() -> dict[str, str]:
    """The checks .checkov.yaml skips everywhere, each with its reason: the comment lines right
    above its entry (checkov's config file takes no keys of its own for reasons)."""
    text = CHECKOV_CONFIG.read_text(encoding="utf-8")
    skips: dict[str, str] = {}
    comment: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        entry = re.fullmatch(r"-\s*(CKV\w+)", stripped)
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        if entry:
            skips[entry.group(1)] = " ".join(comment)
        comment = []
    assert sorted(skips) == sorted(yaml.safe_load(text)["skip-check"]), "one id per `- CKV_...` line"
    return skips


@pytest.fixture(scope="session")
def checkov_entities() -> dict[str, set[str]]:
    """The resource types each of checkov's CloudFormation checks applies to (`checkov --list`)."""
    executable = _checkov_executable()
    if executable is None:
        pytest.skip("checkov is not installed: `./dev test` installs it into .venv/checkov")
    completed = subprocess.run(
        [executable, "--list", "--framework", "cloudformation"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    entities: dict[str, set[str]] = {}
    for row in completed.stdout.splitlines():
        cells = [cell.strip() for cell in row.split("|")]
        if len(cells) > 4 and cells[2].startswith("CKV"):
            entities.setdefault(cells[2], set()).add(cells[4])
    return entities


def _scan_copy(root: Path) -> None:
    """What checkov reads, under the same relative names: checkov does not expand Fn::ForEach (it
    would skip every resource inside the loops), so template.yaml goes in expanded, as the JSON
    `efw template expand` writes (the buildspec scans the same); the pipelines go in as they are."""
    for path in SCANNED:
        target = root / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name == "template.yaml":
            target.write_text(expanded_json(path), encoding="utf-8")
        else:
            shutil.copyfile(path, target)


def _checkov(executable: str) -> dict[str, dict[str, Any]]:
    # --skip-download: no call home for guidelines; the scan is offline and deterministic.
    arguments = [executable, "--config-file", str(CHECKOV_CONFIG), "--framework", "cloudformation"]
    arguments += ["--skip-download", "--compact", "-o", "json"]
    for path in SCANNED:
        arguments += ["-f", str(path.relative_to(REPO))]
    with tempfile.TemporaryDirectory() as root:
        _scan_copy(Path(root))
        completed = subprocess.run(
            arguments, capture_output=True, text=True, timeout=300, check=False, cwd=root
        )
    assert completed.stdout.strip(), completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    reports = report if isinstance(report, list) else [report]
    results: dict[str, dict[str, Any]] = {
        str(path.relative_to(REPO)): {"failed": [], "skipped": [], "passed": 0} for path in SCANNED
    }
    for part in reports:
        body = part.get("results", {})
        for kind in ("failed", "skipped"):
            for check in body.get(f"{kind}_checks", []):
                results[check["file_path"].lstrip("/")][kind].append(check)
        for check in body.get("passed_checks", []):
            results[check["file_path"].lstrip("/")]["passed"] += 1
    return results
