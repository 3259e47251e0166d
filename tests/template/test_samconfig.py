"""samconfig.toml: dev (default) and prod profiles that deploy the template as it is."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest

from .conftest import REPO

CONFIG = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_deploy_profile_is_complete(environment: str, template: dict[str, Any]) -> None:
    deploy = CONFIG[environment]["deploy"]["parameters"]
    assert deploy["stack_name"] and deploy["region"] and deploy["resolve_s3"] is True
    assert set(deploy["capabilities"].split()) == {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
    overrides = dict(re.findall(r'(\w+)="([^"]*)"', deploy["parameter_overrides"]))
    assert set(overrides) <= set(template["Parameters"])
    for name, value in overrides.items():
        allowed = template["Parameters"][name].get("AllowedValues")
        assert allowed is None or value in [str(option) for option in allowed], name
    assert "stage=" in deploy["tags"]


def test_samconfig_stages_differ_and_validate_does_not_lint() -> None:
    assert (
        CONFIG["default"]["deploy"]["parameters"]["stack_name"]
        != CONFIG["prod"]["deploy"]["parameters"]["stack_name"]
    )
    for environment in ("default", "prod"):
        validate = CONFIG[environment].get("validate", {}).get("parameters", {})
        assert validate.get("lint") is not True


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_every_command_expands_the_language_extensions(environment: str) -> None:
    """template.yaml's Fn::ForEach loops: the SAM CLI expands them only when asked (the flag is off
    by default), and build, package, deploy and validate all read the template."""
    commands = ("build", "package", "deploy") + (("validate",) if environment == "default" else ())
    for command in commands:
        assert CONFIG[environment][command]["parameters"].get("language_extensions") is True, command
