"""Input and output processing of a state, as pure functions in the order the ASL spec applies them.

InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath. Each
function takes JSON values and returns new ones; nothing here mutates its arguments. Failures are
`StatesError(States.Runtime, ...)` with the cause text AWS uses, minus the "An error occurred while
executing the state ..." prefix, which the engine adds because only it knows the event id.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from eventframework.local.engine import jsonpath
from eventframework.local.engine.errors import PathNotFoundError, StatesError, StatesErrorName
from eventframework.local.engine.intrinsics import evaluate_intrinsic
from eventframework.local.engine.reading import PathContext, read_path


def to_json_text(value: Any) -> str:
    """JSON text as AWS quotes it in causes and Lambda payloads: compact, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def apply_input_path(path: str | None, data: Any, context: PathContext, present: bool = True) -> Any:
    """InputPath: absent means `$`, null (present but None) means an empty object."""
    if path is None:
        return copy.deepcopy(data) if not present else {}
    return read_path(path, data, context)


def resolve_template(template: Any, data: Any, context: PathContext) -> Any:
    """Parameters / ResultSelector / ItemSelector / Assign payload templates.

    A key ending in `.$` takes its value from a path, a context path, a variable or an intrinsic
    function call and loses the suffix; everything else is copied as a literal.
    """
    if isinstance(template, Mapping):
        resolved: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                resolved[key[:-2]] = resolve_expression(key, value, data, context)
            else:
                resolved[key] = resolve_template(value, data, context)
        return resolved
    if isinstance(template, list):
        return [resolve_template(item, data, context) for item in template]
    return copy.deepcopy(template)


def resolve_expression(field_name: str, expression: str, data: Any, context: PathContext) -> Any:
    """Evaluate one `.$` value; a missing path is reported naming the field, as AWS does."""
    if expression.startswith("States."):
        return evaluate_intrinsic(expression, data, context)
    try:
        return read_path(expression, data, context)
    except PathNotFoundError as missing:
        source = context.context_object if expression.startswith("$$") else data
        raise StatesError(
            StatesErrorName.RUNTIME,
            f"The JSONPath '{missing.path}' specified for the field '{field_name}' "
            f"could not be found in the input '{to_json_text(source)}'",
        ) from None


def apply_result_path(path: str | None, present: bool, state_input: Any, result: Any) -> Any:
    """ResultPath: absent means `$` (result replaces input), null keeps the input unchanged."""
    if not present:
        return copy.deepcopy(result)
    if path is None:
        return copy.deepcopy(state_input)
    parsed = jsonpath.parse(path)
    if parsed.root != "$" or not parsed.definite:
        raise StatesError(
            StatesErrorName.RUNTIME, f"Invalid ResultPath '{path}': it must be a reference path"
        )
    if not parsed.segments:
        return copy.deepcopy(result)
    output = copy.deepcopy(state_input)
    if not isinstance(output, dict):
        raise _result_path_mismatch(path, state_input)
    target: Any = output
    segments = parsed.segments
    for segment in segments[:-1]:
        target = _descend(target, segment.key, path, state_input)
    last = segments[-1].key
    if not isinstance(target, dict) or not isinstance(last, str):
        raise _result_path_mismatch(path, state_input)
    target[last] = copy.deepcopy(result)
    return output


def _descend(target: Any, key: Any, path: str, state_input: Any) -> Any:
    if isinstance(target, dict) and isinstance(key, str):
        child = target.get(key)
        if not isinstance(child, dict):
            child = target[key] = {}
        return child
    if isinstance(target, list) and isinstance(key, int) and -len(target) <= key < len(target):
        return target[key]
    raise _result_path_mismatch(path, state_input)


def _result_path_mismatch(path: str, state_input: Any) -> StatesError:
    return StatesError(
        StatesErrorName.RESULT_PATH_MATCH_FAILURE,
        f"Unable to apply ResultPath '{path}' to input '{to_json_text(state_input)}'",
    )


def apply_output_path(path: str | None, present: bool, data: Any, context: PathContext) -> Any:
    """OutputPath: absent means `$`, null means an empty object."""
    if not present:
        return data
    if path is None:
        return {}
    return read_path(path, data, context)
