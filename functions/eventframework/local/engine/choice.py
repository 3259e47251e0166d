"""Choice state rules in JSONPath mode: pick the next state, and check rules before running them.

`select_rule` returns the first top-level rule that matches (the core needs the rule itself for
its `Assign`), `select_next` the state to go to, falling back to `Default` and otherwise failing
with States.NoChoiceMatched as AWS does. A rule's `Variable` that matches nothing is a
States.Runtime error, except under `IsPresent`, whose whole purpose is to ask. The comparison
operators themselves are the table in `choice_operators`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eventframework.local.engine.choice_operators import OPERATORS, Operand, Operator, parse_timestamp
from eventframework.local.engine.errors import PathNotFoundError, StatesError, StatesErrorName
from eventframework.local.engine.reading import PathContext, read_path

__all__ = ["NO_MATCH_CAUSE", "evaluate_rule", "select_next", "select_rule", "validate_choice_rule"]

NO_MATCH_CAUSE = "No Matches!"
_BOOLEAN_KEYS = ("And", "Or", "Not")
_RULE_KEYS = frozenset({"Variable", "Next", "Comment", "Assign", *_BOOLEAN_KEYS, *OPERATORS})


def select_rule(
    choices: Sequence[Mapping[str, Any]], data: Any, context: PathContext
) -> Mapping[str, Any] | None:
    """The first rule in `choices` whose condition holds for `data`, or None."""
    for rule in choices:
        if evaluate_rule(rule, data, context):
            return rule
    return None


def select_next(
    choices: Sequence[Mapping[str, Any]], default: str | None, data: Any, context: PathContext
) -> str:
    """The `Next` of the first matching rule, else `default`, else States.NoChoiceMatched."""
    rule = select_rule(choices, data, context)
    if rule is not None:
        return str(rule["Next"])
    if default is not None:
        return default
    raise StatesError(StatesErrorName.NO_CHOICE_MATCHED, NO_MATCH_CAUSE)


def evaluate_rule(rule: Mapping[str, Any], data: Any, context: PathContext) -> bool:
    """Whether one rule (top-level or nested) holds; And/Or short-circuit as AWS evaluates them."""
    if "And" in rule:
        return all(evaluate_rule(inner, data, context) for inner in rule["And"])
    if "Or" in rule:
        return any(evaluate_rule(inner, data, context) for inner in rule["Or"])
    if "Not" in rule:
        return not evaluate_rule(rule["Not"], data, context)
    return _compare(rule, data, context)


def _compare(rule: Mapping[str, Any], data: Any, context: PathContext) -> bool:
    op = _operator_of(rule)
    variable = str(rule["Variable"])
    if op.reads_missing:
        return bool(op.test(_is_present(variable, data, context), rule[op.name]))
    value = _read(variable, data, context)
    if not op.accepts(value):
        return False
    operand = rule[op.name]
    if op.operand is Operand.PATH:
        operand = _read(str(operand), data, context)
        if not op.accepts(operand):
            return False
    return bool(op.test(value, operand))


def _operator_of(rule: Mapping[str, Any]) -> Operator:
    names = [key for key in rule if key in OPERATORS]
    if len(names) != 1 or "Variable" not in rule:
        problems = "; ".join(validate_choice_rule(rule)) or "not a Choice rule"
        raise StatesError(StatesErrorName.RUNTIME, f"Invalid Choice rule {dict(rule)!r}: {problems}")
    return OPERATORS[names[0]]


def _read(path: str, data: Any, context: PathContext) -> Any:
    try:
        return read_path(path, data, context)
    except PathNotFoundError:
        raise StatesError(
            StatesErrorName.RUNTIME,
            f"Invalid path '{path}': The choice state's condition path references an invalid value.",
        ) from None


def _is_present(path: str, data: Any, context: PathContext) -> bool:
    try:
        read_path(path, data, context)
    except StatesError as error:
        if error.is_runtime:
            return False
        raise
    return True


def validate_choice_rule(rule: Mapping[str, Any]) -> list[str]:
    """Static faults of a top-level rule, each naming the field and the fix; empty when valid.

    Top-level rules need `Next`; nested rules (inside And/Or/Not) must not have one.
    """
    return _validate(rule, top_level=True)


def _validate(rule: Any, top_level: bool) -> list[str]:
    if not isinstance(rule, Mapping):
        return [f"a Choice rule must be a JSON object, got {type(rule).__name__}"]
    problems = [f"unknown field '{key}' in a Choice rule" for key in rule if key not in _RULE_KEYS]
    if top_level and not isinstance(rule.get("Next"), str):
        problems.append("field 'Next' is required on a top-level Choice rule and must be a state name")
    if not top_level and "Next" in rule:
        problems.append("field 'Next' is only allowed on top-level Choice rules, not inside And/Or/Not")
    if not top_level and "Assign" in rule:
        problems.append("field 'Assign' is only allowed on top-level Choice rules")
    booleans = [key for key in _BOOLEAN_KEYS if key in rule]
    operators = [key for key in rule if key in OPERATORS]
    if booleans:
        problems.extend(_validate_boolean(rule, booleans, operators))
    else:
        problems.extend(_validate_comparison(rule, operators))
    return problems


def _validate_boolean(rule: Mapping[str, Any], booleans: list[str], operators: list[str]) -> list[str]:
    if len(booleans) > 1 or operators or "Variable" in rule:
        found = ", ".join(booleans + operators + (["Variable"] if "Variable" in rule else []))
        return [f"a Choice rule holds exactly one of And, Or, Not or a comparison; found {found}"]
    key = booleans[0]
    inner = rule[key]
    if key == "Not":
        if not isinstance(inner, Mapping):
            return ["field 'Not' must be a single Choice rule object"]
        return [f"Not: {problem}" for problem in _validate(inner, top_level=False)]
    if not isinstance(inner, list) or not inner:
        return [f"field '{key}' must be a non-empty array of Choice rules"]
    return [
        f"{key}[{index}]: {problem}"
        for index, item in enumerate(inner)
        for problem in _validate(item, top_level=False)
    ]


def _validate_comparison(rule: Mapping[str, Any], operators: list[str]) -> list[str]:
    problems: list[str] = []
    variable = rule.get("Variable")
    if not isinstance(variable, str) or not variable.startswith("$"):
        problems.append("field 'Variable' is required and must be a path starting with '$'")
    if len(operators) != 1:
        found = ", ".join(operators) or "none"
        known = ", ".join(sorted(OPERATORS))
        problems.append(f"exactly one comparison operator is required, found {found}; use one of {known}")
        return problems
    name = operators[0]
    problem = _operand_problem(OPERATORS[name], rule[name])
    if problem:
        problems.append(f"field '{name}' {problem}")
    return problems


def _operand_problem(op: Operator, operand: Any) -> str | None:
    kind = op.operand
    if kind is Operand.PATH:
        ok = isinstance(operand, str) and operand.startswith("$")
        return None if ok else "must be a path starting with '$'"
    if kind in (Operand.FLAG, Operand.BOOLEAN):
        return None if isinstance(operand, bool) else "must be true or false"
    if kind is Operand.NUMBER:
        return None if op.accepts(operand) else "must be a number"
    if kind is Operand.TIMESTAMP:
        ok = isinstance(operand, str) and parse_timestamp(operand) is not None
        return None if ok else "must be an RFC 3339 timestamp such as 2016-08-18T17:33:00Z"
    return None if isinstance(operand, str) else "must be a string"
