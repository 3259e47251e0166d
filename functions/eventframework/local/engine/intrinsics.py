"""Evaluate intrinsic function calls (`States.Format(...)`, `States.MathAdd(...)`, ...) in JSONPath mode.

The public API is two functions: `evaluate_intrinsic` runs an expression against the state data,
the context object and the variables; `check_intrinsic` finds, before any execution, the faults
AWS reports when a definition is created (syntax, unknown function, wrong argument count).
Parsing lives in `intrinsics_parser`, the functions in `intrinsics_functions`; this module walks
the tree, resolving arguments innermost first, and dispatches through the `FUNCTIONS` table.
"""

from __future__ import annotations

from typing import Any

from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.intrinsics_functions import FUNCTIONS, IntrinsicSpec
from eventframework.local.engine.intrinsics_parser import (
    FunctionCall,
    IntrinsicSyntaxError,
    Literal,
    Node,
    PathArgument,
    looks_like_intrinsic,
    parse,
)
from eventframework.local.engine.intrinsics_values import (
    CallArgs,
    IntrinsicArgumentError,
    IntrinsicEnvironment,
)
from eventframework.local.engine.reading import PathContext, read_path

__all__ = [
    "IntrinsicArgumentError",
    "IntrinsicEnvironment",
    "IntrinsicSyntaxError",
    "check_intrinsic",
    "evaluate_intrinsic",
    "looks_like_intrinsic",
]

DEFAULT_ENVIRONMENT = IntrinsicEnvironment()


def evaluate_intrinsic(
    expression: str,
    data: Any,
    context: PathContext,
    env: IntrinsicEnvironment | None = None,
) -> Any:
    """The JSON value of `expression` for this state input.

    Raises `IntrinsicSyntaxError` or `IntrinsicArgumentError` (both States.IntrinsicFailure) for a
    malformed call or unusable arguments, and the path reader's States.Runtime error when a path
    argument matches nothing. `env` injects the random source and UUID factory.
    """
    call = parse(expression)
    return _evaluate_call(call, data, context, env or DEFAULT_ENVIRONMENT)


def check_intrinsic(expression: str) -> list[str]:
    """Static faults of an expression, each naming the function and the fix; empty when valid."""
    try:
        call = parse(expression)
    except IntrinsicSyntaxError as error:
        return [error.cause or error.reason]
    problems: list[str] = []
    _check_call(call, problems)
    return problems


def _check_call(call: FunctionCall, problems: list[str]) -> None:
    spec = FUNCTIONS.get(call.name)
    if spec is None:
        problems.append(_unknown_function(call).cause or call.name)
    else:
        arity = _arity_problem(call, spec)
        if arity:
            problems.append(arity)
    for arg in call.args:
        if isinstance(arg, FunctionCall):
            _check_call(arg, problems)


def _evaluate_call(call: FunctionCall, data: Any, context: PathContext, env: IntrinsicEnvironment) -> Any:
    spec = FUNCTIONS.get(call.name)
    if spec is None:
        raise _unknown_function(call)
    arity = _arity_problem(call, spec)
    if arity:
        raise StatesError(StatesErrorName.INTRINSIC_FAILURE, arity)
    values = [_evaluate_node(arg, data, context, env) for arg in call.args]
    raw = [arg.raw if isinstance(arg, Literal) else None for arg in call.args]
    return spec.run(CallArgs(call.name, values, raw, env))


def _evaluate_node(node: Node, data: Any, context: PathContext, env: IntrinsicEnvironment) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, PathArgument):
        return read_path(node.path, data, context)
    return _evaluate_call(node, data, context, env)


def _arity_problem(call: FunctionCall, spec: IntrinsicSpec) -> str | None:
    count = len(call.args)
    if count >= spec.min_args and (spec.max_args is None or count <= spec.max_args):
        return None
    if spec.max_args is None:
        expected = f"at least {spec.min_args}"
    elif spec.min_args == spec.max_args:
        expected = str(spec.min_args)
    else:
        expected = f"{spec.min_args} to {spec.max_args}"
    return f"{call.name} takes {expected} argument(s) but was given {count}"


def _unknown_function(call: FunctionCall) -> StatesError:
    known = ", ".join(sorted(FUNCTIONS))
    return StatesError(
        StatesErrorName.INTRINSIC_FAILURE,
        f"Unknown intrinsic function {call.name!r} at position {call.position}; known functions: {known}",
    )
