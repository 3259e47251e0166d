"""Expand CloudFormation's `AWS::LanguageExtensions` transform the way CloudFormation does, locally.

template.yaml declares `Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]` and
builds its per-source resources with `Fn::ForEach` over a `Mappings` table. CloudFormation and the
SAM CLI expand that themselves; the SAM translator library, checkov, moto's CloudFormation and the
local engine and emulator do not. Each of them is handed the template through `expand` instead, so
one implementation decides what the loops produce. It covers what the template uses and refuses the
rest with a `TemplateError` naming the place:

- `Fn::ForEach::<LoopName>: [Identifier, Collection, {OutputKey: OutputValue}]` in `Conditions`,
  `Resources` and `Outputs`, and inside a resource's body; nested loops; `${Identifier}` and
  `&{Identifier}` (non-alphanumeric characters dropped) in keys and strings, `Ref: Identifier`
  in values. The collection is a literal list of strings or a `Ref` to a `CommaDelimitedList`
  parameter with a default. Loops elsewhere (Parameters, Mappings, Metadata, ...) are refused.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html
- `Fn::FindInMap` whose map, top-level and second-level keys are literal once the loops are
  expanded, with an optional `DefaultValue`; a lookup with keys known only at deploy time (a `Ref`
  to a parameter) stays for CloudFormation unless it carries a `DefaultValue`, which is refused.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap-enhancements.html
- `Fn::Length` of a literal list, and `Fn::ToJsonString` of a literal object or array (compact
  JSON, as the documented examples print it).
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-length.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-ToJsonString.html

The result declares the remaining transforms only (the SAM transform), as CloudFormation hands it on.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from eventframework.local.template.errors import TemplateError

TRANSFORM = "AWS::LanguageExtensions"
FOREACH = "Fn::ForEach::"
LOOP_SECTIONS = ("Conditions", "Resources", "Outputs")
MAX_NESTING = 5  # the documented depth limit of nested Fn::ForEach loops


def declares(template: Mapping[str, Any]) -> bool:
    """Whether the template lists AWS::LanguageExtensions among its transforms."""
    return TRANSFORM in _transforms(template)


def _transforms(template: Mapping[str, Any]) -> list[str]:
    declared = template.get("Transform")
    if declared is None:
        return []
    return [declared] if isinstance(declared, str) else list(declared)


def expand(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template after the AWS::LanguageExtensions transform; unchanged if it does not declare it."""
    result = copy.deepcopy(dict(template))
    if not declares(result):
        _refuse_loops(result, "", "the template does not declare Transform AWS::LanguageExtensions")
        return result
    parameters = result.get("Parameters") or {}
    for section, body in result.items():
        if section not in LOOP_SECTIONS:
            _refuse_loops(body, section, "Fn::ForEach may appear only in Conditions, Resources and Outputs")
    for section in LOOP_SECTIONS:
        if section in result:
            result[section] = _Expander(parameters).mapping(result[section], section, [])
    mappings = result.get("Mappings") or {}
    for section in LOOP_SECTIONS:
        if section in result:
            result[section] = _Functions(mappings).resolve(result[section], section)
    remaining = [name for name in _transforms(result) if name != TRANSFORM]
    if remaining:
        result["Transform"] = remaining[0] if len(remaining) == 1 else remaining
    else:
        result.pop("Transform")
    return result


def _refuse_loops(value: Any, where: str, problem: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.startswith(FOREACH):
                raise TemplateError(f"{where}.{key}" if where else key, problem)
            _refuse_loops(item, f"{where}.{key}" if where else str(key), problem)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_loops(item, f"{where}[{index}]", problem)


class _Expander:
    """Fn::ForEach: copies of a fragment, one per collection item, the identifier substituted."""

    def __init__(self, parameters: Mapping[str, Any]) -> None:
        self._parameters = parameters

    def mapping(self, body: Any, where: str, identifiers: list[str]) -> Any:
        if isinstance(body, list):
            return [self.mapping(item, f"{where}[{index}]", identifiers) for index, item in enumerate(body)]
        if not isinstance(body, dict):
            return body
        result: dict[str, Any] = {}
        for key, value in body.items():
            if isinstance(key, str) and key.startswith(FOREACH):
                produced = self._loop(key, value, f"{where}.{key}", identifiers)
            else:
                produced = {key: self.mapping(value, f"{where}.{key}", identifiers)}
            clash = sorted(set(produced) & set(result))
            if clash:
                raise TemplateError(f"{where}.{key}", f"produces keys that already exist: {', '.join(clash)}")
            result.update(produced)
        return result

    def _loop(self, key: str, value: Any, where: str, identifiers: list[str]) -> dict[str, Any]:
        if len(identifiers) >= MAX_NESTING:
            raise TemplateError(where, f"Fn::ForEach loops nest at most {MAX_NESTING} deep")
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[2], dict)):
            raise TemplateError(where, "expected [Identifier, Collection, {OutputKey: OutputValue}]")
        identifier, collection, fragment = value
        if not isinstance(identifier, str) or not identifier:
            raise TemplateError(where, f"identifier {identifier!r} must be a non-empty string")
        if identifier in self._parameters or identifier in identifiers:
            raise TemplateError(
                where, f"identifier {identifier!r} is already a parameter or an outer identifier"
            )
        items = self._collection(collection, where)
        placeholders = (f"${{{identifier}}}", f"&{{{identifier}}}")
        for output_key in fragment:
            if not str(output_key).startswith(FOREACH) and not any(
                placeholder in str(output_key) for placeholder in placeholders
            ):
                raise TemplateError(
                    where, f"output key {output_key!r} must contain ${{{identifier}}} or &{{{identifier}}}"
                )
        result: dict[str, Any] = {}
        for item in items:
            copy_of = _substitute(fragment, identifier, item)
            expanded = self.mapping(copy_of, where, [*identifiers, identifier])
            clash = sorted(set(expanded) & set(result))
            if clash:
                raise TemplateError(where, f"produces the same key twice: {', '.join(clash)}")
            result.update(expanded)
        return result

    def _collection(self, collection: Any, where: str) -> list[str]:
        if isinstance(collection, dict) and set(collection) == {"Ref"}:
            parameter = self._parameters.get(collection["Ref"]) or {}
            if parameter.get("Type") != "CommaDelimitedList" or "Default" not in parameter:
                raise TemplateError(
                    where, "a Ref collection must name a CommaDelimitedList parameter with a Default"
                )
            default = parameter["Default"]
            collection = (
                default if isinstance(default, list) else [item.strip() for item in str(default).split(",")]
            )
        if not isinstance(collection, list) or not all(isinstance(item, str) for item in collection):
            raise TemplateError(
                where, "the collection must be a list of strings (other forms are not implemented)"
            )
        return list(collection)


def _substitute(fragment: Any, identifier: str, item: str) -> Any:
    if isinstance(fragment, str):
        stripped = re.sub(r"[^A-Za-z0-9]", "", item)
        return fragment.replace(f"${{{identifier}}}", item).replace(f"&{{{identifier}}}", stripped)
    if isinstance(fragment, list):
        return [_substitute(value, identifier, item) for value in fragment]
    if isinstance(fragment, dict):
        if fragment == {"Ref": identifier}:
            return item
        return {
            _substitute(key, identifier, item): _substitute(value, identifier, item)
            for key, value in fragment.items()
        }
    return fragment


def _is_literal(value: Any) -> bool:
    if isinstance(value, dict):
        if len(value) == 1 and (
            next(iter(value)).startswith("Fn::") or "Ref" in value or "Condition" in value
        ):
            return False
        return all(_is_literal(item) for item in value.values())
    if isinstance(value, list):
        return all(_is_literal(item) for item in value)
    return True


class _Functions:
    """Fn::FindInMap (with DefaultValue), Fn::Length and Fn::ToJsonString, innermost first."""

    def __init__(self, mappings: Mapping[str, Any]) -> None:
        self._mappings = mappings

    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            return [self.resolve(item, f"{where}[{index}]") for index, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        resolved = {key: self.resolve(item, f"{where}.{key}") for key, item in value.items()}
        if len(resolved) == 1:
            ((key, argument),) = resolved.items()
            if key == "Fn::FindInMap":
                return self._find_in_map(argument, f"{where}.{key}")
            if key == "Fn::Length":
                return self._length(argument, f"{where}.{key}")
            if key == "Fn::ToJsonString":
                return self._to_json_string(argument, f"{where}.{key}")
        return resolved

    def _find_in_map(self, argument: Any, where: str) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise TemplateError(where, "expected [MapName, TopLevelKey, SecondLevelKey, {DefaultValue: ...}]")
        keys, default = argument[:3], argument[3:]
        if default and not (isinstance(default[0], dict) and set(default[0]) == {"DefaultValue"}):
            raise TemplateError(where, "the fourth argument must be {DefaultValue: value}")
        if not all(isinstance(key, str) for key in keys):
            if default:
                raise TemplateError(
                    where, "DefaultValue with keys known only at deploy time is not implemented"
                )
            return {"Fn::FindInMap": argument}  # standard CloudFormation resolves it at deploy time
        name, top, second = keys
        found = (self._mappings.get(name) or {}).get(top, {})
        if isinstance(found, dict) and second in found:
            return found[second]
        if default:
            return default[0]["DefaultValue"]
        raise TemplateError(where, f"mapping {name!r} has no {top!r}.{second!r} and no DefaultValue is given")

    @staticmethod
    def _length(argument: Any, where: str) -> int:
        if not isinstance(argument, list):
            raise TemplateError(where, "Fn::Length of anything but a literal list is not implemented")
        return len(argument)

    @staticmethod
    def _to_json_string(argument: Any, where: str) -> str:
        if not isinstance(argument, dict | list) or not _is_literal(argument):
            raise TemplateError(
                where, "Fn::ToJsonString of values known only at deploy time is not implemented"
            )
        return json.dumps(argument, separators=(",", ":"))
