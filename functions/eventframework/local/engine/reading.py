"""Reading a path from state data, the context object (`$$`) or a variable: the leaf that path
processing (paths.py) and intrinsic functions (intrinsics.py) both read through."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventframework.local.engine import jsonpath
from eventframework.local.engine.errors import PathNotFoundError, StatesError, StatesErrorName


@dataclass
class PathContext:
    """What a path can read besides the state data: the context object (`$$`) and variables."""

    context_object: Mapping[str, Any] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)


def read_path(path: str, data: Any, context: PathContext) -> Any:
    """Read `path` from `data`, the context object (`$$...`) or a variable (`$name...`).

    A definite path that matches nothing raises `PathNotFoundError` (a `States.Runtime` error); an
    indefinite path (wildcard, slice, filter) returns the list of matches, possibly empty.
    """
    parsed = jsonpath.parse(path)
    if parsed.root == "$$":
        root: Any = context.context_object
    elif parsed.root == "var":
        assert parsed.variable is not None
        if parsed.variable not in context.variables:
            raise StatesError(
                StatesErrorName.RUNTIME,
                f"The variable '{parsed.variable}' referenced by '{path}' is not defined in this scope",
            )
        root = context.variables[parsed.variable]
    else:
        root = data
    value = jsonpath.evaluate(parsed, root)
    if jsonpath.is_missing(value):
        raise PathNotFoundError(path, parsed.normalized())
    return copy.deepcopy(value)
