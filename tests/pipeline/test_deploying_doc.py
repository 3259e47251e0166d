"""docs/deploying.md, checked against what it describes: the step-by-step first deploy must name
every parameter of template.yaml and of the pipeline it creates, give each pipeline every parameter
it has no default for (and none it lacks), point at templates and outputs that exist, and state the
capabilities the deploys use. A parameter or output renamed in a template fails here, not in a
reader's terminal."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from eventframework.local.template.cfn import load_template

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "deploying.md").read_text(encoding="utf-8")
TEMPLATE = load_template(REPO / "template.yaml")


def _section(number: str) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## \d|\Z)", DOC, re.S | re.M)
    assert match, f"docs/deploying.md has no section {number}"
    return match.group(0)


def _table_names(text: str) -> set[str]:
    """The backticked names in the first column of the markdown tables in `text`."""
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Za-z]+)`", line.split("|")[1]))
    return names


def _deploy_commands() -> list[list[str]]:
    """Each `aws cloudformation deploy` command of the doc's shell blocks, as words."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", DOC, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip().startswith("aws cloudformation deploy"):
                commands.append(shlex.split(command, comments=True))
    return commands


def test_deploying_doc_names_every_template_parameter_and_no_other() -> None:
    assert _table_names(_section("3")) == set(TEMPLATE["Parameters"])


def test_deploying_doc_shared_pipeline_parameters_exist_in_every_pipeline(
    pipelines: dict[str, dict[str, Any]],
) -> None:
    shared = _table_names(_section("4").split("### 4a")[0])
    assert shared
    for name, pipeline in pipelines.items():
        assert shared <= set(pipeline["Parameters"]), f"{name} lacks {shared - set(pipeline['Parameters'])}"


def test_deploying_doc_creates_each_pipeline_with_the_parameters_it_needs(
    pipelines: dict[str, dict[str, Any]],
) -> None:
    commands = _deploy_commands()
    created = {}
    for words in commands:
        template = Path(words[words.index("--template-file") + 1])
        assert (REPO / template).is_file(), f"{template} does not exist"
        overrides = (
            words[words.index("--parameter-overrides") + 1 :] if "--parameter-overrides" in words else []
        )
        given = {word.split("=", 1)[0] for word in overrides if "=" in word}
        created[template.stem] = (given, words)
    assert set(created) == set(pipelines), "every pipeline variant has its create command"
    for name, (given, words) in created.items():
        parameters = pipelines[name]["Parameters"]
        required = {key for key, spec in parameters.items() if "Default" not in spec}
        assert required <= given, f"{name}: the command omits {required - given}"
        assert given <= set(parameters), f"{name}: the command passes unknown {given - set(parameters)}"
        assert "CAPABILITY_IAM" in words, f"{name}: the pipeline creates roles; CAPABILITY_IAM is needed"


def test_deploying_doc_outputs_it_names_exist(pipelines: dict[str, dict[str, Any]]) -> None:
    named = set(re.findall(r"OutputKey=='([A-Za-z]+)'", DOC)) | {
        name for name in re.findall(r"`([A-Za-z]+)` output", DOC)
    }
    outputs = set(TEMPLATE["Outputs"]).union(*(set(pipeline["Outputs"]) for pipeline in pipelines.values()))
    assert named and named <= outputs, f"no such output: {named - outputs}"


def test_deploying_doc_states_the_profiles_capabilities() -> None:
    config = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))
    for profile in ("default", "prod"):
        capabilities = config[profile]["deploy"]["parameters"]["capabilities"]
        assert f"Capabilities are\n`{capabilities}`" in _section("3") or f"`{capabilities}`" in _section("3")


@pytest.mark.parametrize("stack_parameter", ["DevStackName", "ProdStackName"])
def test_deploying_doc_states_the_stack_name_limit(
    pipelines: dict[str, dict[str, Any]], stack_parameter: str
) -> None:
    pattern = pipelines["codecommit"]["Parameters"][stack_parameter]["AllowedPattern"]
    longest = 1 + int(re.findall(r"\{0,(\d+)\}", pattern)[0])
    assert f"at most {longest}" in _section("4"), "the doc must say how long a stack name may be"
