"""Read a CloudFormation/SAM template and evaluate the intrinsic functions a local run needs.

`template.yaml` uses CloudFormation's short tags (`!Ref`, `!GetAtt`, `!Sub`, ...), which a plain
YAML loader rejects. The loader here turns each tag into its long form (`{"Ref": ...}`), so the rest
of the code sees the same structure CloudFormation does, and `IntrinsicResolver` evaluates those
forms against the resources the local emulator created. A local run reads the same template from
several places (deployment, engine, pull orchestration); `load_template` parses a file once per
content version (path, mtime, size), expands its `AWS::LanguageExtensions` (local/language_extensions:
the SAM translator, checkov, moto and the local engine all read the expanded template, never the
loops) and hands each caller its own copy.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from eventframework.local.template import language_extensions
from eventframework.local.template.errors import TemplateError

__all__ = ["SHORT_TAGS", "IntrinsicResolver", "TemplateError", "load_source_template", "load_template"]

SHORT_TAGS = (
    "Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "Not", "And",
    "Or", "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr", "Transform",
)  # fmt: skip

_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]+)\}")


# libyaml's parser when PyYAML was built with it (about 9x faster on template.yaml), else Python's.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader plus CloudFormation short tags."""


def _tag_constructor(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return construct


for _name in SHORT_TAGS:
    _TemplateLoader.add_constructor(f"!{_name}", _tag_constructor(_name))


_CacheKey = tuple[str, int, int]
_parsed: dict[_CacheKey, tuple[dict[str, Any], dict[str, Any]]] = {}


def require_template(path: Path) -> None:
    """Refuse a missing template with what was looked for and the fix (before any work starts)."""
    if not path.is_file():
        raise TemplateError(
            str(path.resolve()),
            "no SAM template here: run efw from the project's directory (the one holding "
            "template.yaml), or pass --template PATH",
        )


def load_template(path: Path) -> dict[str, Any]:
    """The template as CloudFormation hands it to the SAM transform: parsed, short tags in long
    form, and `AWS::LanguageExtensions` (Fn::ForEach and friends) expanded.

    Parsed and expanded once per (path, mtime, size); each call returns a deep copy, so a caller
    that edits its document never changes another's.
    """
    return copy.deepcopy(_cached(path)[1])


def load_source_template(path: Path) -> dict[str, Any]:
    """The template as written (Fn::ForEach loops intact), short tags in long form."""
    return copy.deepcopy(_cached(path)[0])


def _cached(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    require_template(path)
    status = path.stat()
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    documents = _parsed.get(key)
    if documents is None:
        source = _parse(path)
        documents = (source, language_extensions.expand(source))
        _parsed.clear()  # one version of one template is what a run needs; never grows
        _parsed[key] = documents
    return documents


def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_TemplateLoader)
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(str(path), "not a CloudFormation template (no Resources section)")
    return document


Lookup = Callable[[str, str | None], str]


class IntrinsicResolver:
    """Evaluate Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If and friends against local values.

    `lookup(logical_id, attribute)` answers for resources (attribute None for Ref); parameters take
    their template defaults unless overridden; pseudo parameters describe the local account.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        lookup: Lookup,
        *,
        region: str,
        account_id: str,
        stack_name: str,
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        self._template = template
        self._lookup = lookup
        self._values: dict[str, str] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
            "AWS::NoValue": "",
        }
        for name, spec in (template.get("Parameters") or {}).items():
            if "Default" in spec:
                self._values[name] = str(spec["Default"])
        self._values.update(parameters or {})

    def resolve(self, value: Any, where: str = "") -> Any:
        """Return `value` with every intrinsic function inside it evaluated."""
        if isinstance(value, list):
            return [self.resolve(item, where) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = self._functions().get(key)
            if handler is not None:
                return handler(argument, where)
        return {key: self.resolve(item, f"{where}.{key}" if where else key) for key, item in value.items()}

    def _functions(self) -> dict[str, Callable[[Any, str], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::If": self._if,
            "Fn::Select": lambda arg, where: self.resolve(arg[1], where)[int(self.resolve(arg[0], where))],
            "Fn::Split": lambda arg, where: str(self.resolve(arg[1], where)).split(arg[0]),
        }

    def _ref(self, name: Any, where: str) -> str:
        if name in self._values:
            return self._values[name]
        if name in self._template["Resources"]:
            return self._lookup(str(name), None)
        raise TemplateError(where, f"Ref to {name!r}, which is neither a parameter nor a resource")

    def _get_att(self, argument: Any, where: str) -> str:
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        if logical_id not in self._template["Resources"]:
            raise TemplateError(where, f"GetAtt on unknown resource {logical_id!r}")
        return self._lookup(str(logical_id), str(attribute))

    def _sub(self, argument: Any, where: str) -> str:
        text, local = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        local_values = {key: str(self.resolve(item, where)) for key, item in local.items()}

        def replace(match: re.Match[str]) -> str:
            if match.group(1):  # ${!Literal} stands for the text ${Literal}
                return "${" + match.group(2) + "}"
            name = match.group(2)
            if name in local_values:
                return local_values[name]
            if "." in name and name.split(".", 1)[0] in self._template["Resources"]:
                return self._get_att(name, where)
            return self._ref(name, where)

        return _SUB_VARIABLE.sub(replace, text)

    def _join(self, argument: Any, where: str) -> str:
        separator, items = argument
        return str(separator).join(str(item) for item in self.resolve(items, where))

    def _if(self, argument: Any, where: str) -> Any:
        condition, when_true, when_false = argument
        chosen = when_true if self.condition(condition) else when_false
        return self.resolve(chosen, where)

    def condition(self, name: str) -> bool:
        """Evaluate a named condition of the template's Conditions section."""
        conditions = self._template.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"Conditions.{name}", "condition is not defined")
        return bool(self._evaluate_condition(conditions[name], f"Conditions.{name}"))

    def _evaluate_condition(self, expression: Any, where: str) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            ((key, argument),) = expression.items()
            if key == "Fn::Equals":
                left, right = (self._evaluate_condition(item, where) for item in argument)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate_condition(argument[0], where)
            if key == "Fn::And":
                return all(self._evaluate_condition(item, where) for item in argument)
            if key == "Fn::Or":
                return any(self._evaluate_condition(item, where) for item in argument)
            if key == "Condition":
                return self.condition(argument)
        return self.resolve(expression, where)
