"""Load an `AWS::Serverless::StateMachine` from a SAM template, the way `sam deploy` would see it.

Reads the DefinitionUri (relative to the template) or inline Definition, applies
DefinitionSubstitutions, and binds every substituted `AWS::Serverless::Function` to its Python
`Handler` under the function's (or Globals') `CodeUri`, reachable at a synthetic ARN
`arn:aws:lambda:<region>:<account>:function:<LogicalId>`. Other `Ref`/`GetAtt` values come from a
caller-supplied resolver, so a local runner can point them at emulator resources.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.template.cfn import IntrinsicResolver, TemplateError, load_template

Resolver = Callable[[str, str | None], str]
FUNCTION_TYPE = "AWS::Serverless::Function"
STATE_MACHINE_TYPE = "AWS::Serverless::StateMachine"


def read_template(path: Path) -> dict[str, Any]:
    """Parse a SAM/CloudFormation YAML (or JSON) template, short tags included."""
    try:
        return load_template(path)
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(str(path), f"cannot read the template: {error}") from None


@dataclass
class LoadedStateMachine:
    """A definition ready for `Engine.register`, with the Lambda handlers it references."""

    name: str
    definition: dict[str, Any]
    lambdas: dict[str, LambdaHandler] = field(default_factory=dict)


def _where(path: Path, resource: str) -> str:
    return f"{path}, resource '{resource}'"


@dataclass
class _Context:
    path: Path
    template: dict[str, Any]
    resolver: Resolver | None
    region: str
    account_id: str
    stack_name: str = "efw-local"
    lambdas: dict[str, LambdaHandler] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template["Resources"]
        return resources


def load_state_machine(
    path: Path,
    logical_id: str,
    resolver: Resolver | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
) -> LoadedStateMachine:
    """Build the state machine `logical_id` of the template at `path`."""
    context = _Context(path, read_template(path), resolver, region, account_id)
    resource = context.resources.get(logical_id)
    if not isinstance(resource, dict) or resource.get("Type") != STATE_MACHINE_TYPE:
        machines = [
            k
            for k, v in context.resources.items()
            if isinstance(v, dict) and v.get("Type") == STATE_MACHINE_TYPE
        ]
        raise TemplateError(
            str(path), f"no {STATE_MACHINE_TYPE} named '{logical_id}'; the template has {machines}"
        )
    properties = resource.get("Properties") or {}
    text = _definition_text(context, logical_id, properties)
    substitutions = properties.get("DefinitionSubstitutions") or {}
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", _json_safe_text(_resolve(context, value, logical_id)))
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(
            _where(path, logical_id), f"definition is not valid JSON after substitutions: {error}"
        ) from None
    return LoadedStateMachine(logical_id, definition, context.lambdas)


def _definition_text(context: _Context, logical_id: str, properties: Mapping[str, Any]) -> str:
    if "Definition" in properties:
        return json.dumps(properties["Definition"])
    uri = properties.get("DefinitionUri")
    if not isinstance(uri, str):
        raise TemplateError(
            _where(context.path, logical_id), "needs a local DefinitionUri path or an inline Definition"
        )
    file = (context.path.parent / uri).resolve()
    try:
        return file.read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateError(
            _where(context.path, logical_id), f"cannot read DefinitionUri {file}: {error}"
        ) from None


def _json_safe_text(value: str) -> str:
    return json.dumps(value)[1:-1]


def _resolve(context: _Context, value: Any, owner: str) -> str:
    """Evaluate a substitution value; functions bind to their handlers, the rest goes to the resolver."""
    resolver = IntrinsicResolver(
        context.template,
        lambda target, attribute: _reference(context, target, attribute, owner),
        region=context.region,
        account_id=context.account_id,
        stack_name=context.stack_name,
    )
    return str(
        resolver.resolve(value, f"{context.path}: Resources.{owner}.Properties.DefinitionSubstitutions")
    )


def _reference(context: _Context, target: str, attribute: str | None, owner: str) -> str:
    resource = context.resources.get(target)
    if isinstance(resource, dict) and resource.get("Type") == FUNCTION_TYPE:
        arn = f"arn:aws:lambda:{context.region}:{context.account_id}:function:{target}"
        context.lambdas[arn] = _bind_handler(context, target, resource)
        return arn if attribute == "Arn" else target
    if context.resolver is None:
        raise TemplateError(
            _where(context.path, owner),
            f"substitution refers to '{target}' ({attribute or 'Ref'}); pass resolver=... to map it",
        )
    return context.resolver(target, attribute)


def _bind_handler(context: _Context, logical_id: str, resource: Mapping[str, Any]) -> LambdaHandler:
    properties = resource.get("Properties") or {}
    globals_function = (context.template.get("Globals") or {}).get("Function") or {}
    handler = properties.get("Handler", globals_function.get("Handler"))
    code_uri = properties.get("CodeUri", globals_function.get("CodeUri", "."))
    if not isinstance(handler, str) or "." not in handler:
        raise TemplateError(_where(context.path, logical_id), "function needs a Handler 'module.function'")
    code_dir = str((context.path.parent / str(code_uri)).resolve())
    module_name, function_name = handler.rsplit(".", 1)
    return _LazyHandler(code_dir, module_name, function_name)


class _LazyHandler:
    """Imports the handler on first call, like Lambda's cold start: a broken import surfaces as
    the function's `Runtime.ImportModuleError`, not as a failure to load the template."""

    def __init__(self, code_dir: str, module_name: str, function_name: str) -> None:
        self.code_dir = code_dir
        self.module_name = module_name
        self.function_name = function_name

    def __call__(self, event: Any, context: Any) -> Any:
        if self.code_dir not in sys.path:
            sys.path.insert(0, self.code_dir)
        try:
            module = importlib.import_module(self.module_name)
            function: LambdaHandler = getattr(module, self.function_name)
        except (ImportError, AttributeError) as error:
            raise ImportModuleError(f"Unable to import module '{self.module_name}': {error}") from error
        return function(event, context)


class ImportModuleError(Exception):
    """Named after what Lambda reports (`Runtime.ImportModuleError`) for a handler it cannot load."""
