"""`sam build` of the real template, as CodeBuild runs it: no container, no AWS account.

It builds every function from a copy of the working tree (SAM copies the project root for the
makefile build anyway) and checks what Lambda would receive: the handler modules, the bundled source
definitions and schemas the loader looks for, and none of the laptop-only `local` tooling.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from eventframework.local.template.cfn import load_template

from ..template.conftest import REGION

REPO = Path(__file__).resolve().parents[2]
SAM = Path(os.environ.get("EFW_SAM", REPO / ".venv" / "sam" / "bin" / "sam"))


def _tracked_copy(target: Path) -> None:
    """The files git would ship (tracked and new, not ignored): no virtualenvs, caches or builds."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.mark.skipif(not SAM.exists(), reason=f"aws-sam-cli not installed at {SAM} (./dev test installs it)")
def test_sam_build_packages_every_function_without_a_container(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _tracked_copy(project)
    environment = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": REGION}
    completed = subprocess.run(
        [str(SAM), "build", "--parallel", "--build-dir", str(tmp_path / "build")],
        cwd=project, env=environment, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    built = load_template(tmp_path / "build" / "template.yaml")
    functions = {
        logical_id: resource["Properties"]
        for logical_id, resource in built["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions
    for logical_id, properties in functions.items():
        package = tmp_path / "build" / logical_id
        handler_module = properties.get("Handler", "").rsplit(".", 1)[0].replace(".", "/")
        assert (package / f"{handler_module}.py").is_file(), f"{logical_id}: handler module missing"
        assert (package / "eventframework" / "bundled" / "sources" / "okta-system-log.yaml").is_file()
        assert (package / "eventframework" / "bundled" / "schemas" / "mozdef-event.schema.json").is_file()
        assert not (package / "eventframework" / "local").exists(), f"{logical_id} ships laptop-only code"
