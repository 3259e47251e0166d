"""Choice rules: the AWS documentation's examples, AWS's error behaviour, and static validation."""

from __future__ import annotations

from typing import Any

import pytest

from eventframework.local.engine.choice import (
    NO_MATCH_CAUSE,
    evaluate_rule,
    select_next,
    select_rule,
    validate_choice_rule,
)
from eventframework.local.engine.choice_operators import OPERATORS, parse_timestamp
from eventframework.local.engine.errors import StatesError
from eventframework.local.engine.reading import PathContext

CTX = PathContext()

# The Choice state example from the AWS documentation (Choice state, "Choice Rules").
DOC_CHOICES: list[dict[str, Any]] = [
    {
        "Not": {"Variable": "$.type", "StringEquals": "Private"},
        "Next": "Public",
    },
    {
        "Variable": "$.value",
        "NumericEquals": 0,
        "Next": "ValueIsZero",
    },
    {
        "And": [
            {"Variable": "$.value", "NumericGreaterThanEquals": 20},
            {"Variable": "$.value", "NumericLessThan": 30},
        ],
        "Next": "ValueInTwenties",
    },
    {
        "Variable": "$.value",
        "NumericLessThan": 0,
        "Next": "LessThanZero",
    },
]


def holds(rule: dict[str, Any], data: Any, context: PathContext = CTX) -> bool:
    return evaluate_rule(rule, data, context)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "Public", "value": 0}, "Public"),
        ({"type": "Private", "value": 0}, "ValueIsZero"),
        ({"type": "Private", "value": 25}, "ValueInTwenties"),
        ({"type": "Private", "value": -3}, "LessThanZero"),
        ({"type": "Private", "value": 7}, "DefaultState"),
    ],
)
def test_choice_documentation_example_routes(data: dict[str, Any], expected: str) -> None:
    assert select_next(DOC_CHOICES, "DefaultState", data, CTX) == expected


def test_choice_no_match_without_default_raises_no_choice_matched() -> None:
    with pytest.raises(StatesError) as caught:
        select_next(DOC_CHOICES, None, {"type": "Private", "value": 7}, CTX)
    assert caught.value.error == "States.NoChoiceMatched"
    assert caught.value.cause == NO_MATCH_CAUSE


def test_choice_select_rule_returns_the_first_match_with_its_assign() -> None:
    choices = [
        {"Variable": "$.n", "NumericGreaterThan": 1, "Assign": {"big": True}, "Next": "A"},
        {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "B"},
    ]
    assert select_rule(choices, {"n": 5}, CTX) is choices[0]
    assert select_rule(choices, {"n": 1}, CTX) is choices[1]
    assert select_rule(choices, {"n": 0}, CTX) is None


def test_choice_or_and_not_combine() -> None:
    rule = {
        "Or": [
            {"Variable": "$.a", "BooleanEquals": True},
            {"Not": {"Variable": "$.b", "IsPresent": True}},
        ]
    }
    assert holds(rule, {"a": True, "b": 1})
    assert holds(rule, {"a": False})
    assert not holds(rule, {"a": False, "b": 1})


def test_choice_and_short_circuits_before_a_missing_path() -> None:
    rule = {
        "And": [
            {"Variable": "$.maybe", "IsPresent": True},
            {"Variable": "$.maybe", "StringEquals": "x"},
        ]
    }
    assert not holds(rule, {})
    assert holds(rule, {"maybe": "x"})


def test_choice_missing_variable_is_a_runtime_error_naming_the_path() -> None:
    with pytest.raises(StatesError) as caught:
        holds({"Variable": "$.missing", "StringEquals": "x"}, {"other": 1})
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == (
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    )


def test_choice_missing_comparison_path_is_a_runtime_error() -> None:
    with pytest.raises(StatesError, match=r"Invalid path '\$\.limit'"):
        holds({"Variable": "$.n", "NumericLessThanPath": "$.limit"}, {"n": 1})


def test_choice_is_present_never_raises() -> None:
    assert holds({"Variable": "$.a.b.c", "IsPresent": False}, {"a": 1})
    assert holds({"Variable": "$.a", "IsPresent": True}, {"a": None})


def test_choice_wrong_types_are_false_not_errors() -> None:
    assert not holds({"Variable": "$.v", "NumericEquals": 1}, {"v": True})
    assert not holds({"Variable": "$.v", "BooleanEquals": True}, {"v": 1})
    assert not holds({"Variable": "$.v", "StringEquals": "1"}, {"v": 1})
    assert not holds({"Variable": "$.v", "TimestampEquals": "2016-08-18T17:33:00Z"}, {"v": "yesterday"})
    assert not holds({"Variable": "$.v", "StringEqualsPath": "$.w"}, {"v": "1", "w": 1})


def test_choice_string_matches_wildcards_and_escapes() -> None:
    def matches(pattern: str, value: str) -> bool:
        return holds({"Variable": "$.v", "StringMatches": pattern}, {"v": value})

    assert matches("log-*.txt", "log-09-04-2017.txt")
    assert not matches("log-*.txt", "log-09-04-2017.txt.gz")
    assert matches("*", "")
    assert matches("a\\*b", "a*b")
    assert not matches("a\\*b", "axxb")
    assert matches("C:\\\\dir*", "C:\\dir\\file")
    assert matches("a.b", "a.b") and not matches("a.b", "axb")


def test_choice_strings_order_as_java_utf16_code_units() -> None:
    # U+FF61 sorts after U+1F600 by UTF-16 code units (0xFF61 > 0xD83D) though not by code point.
    assert holds({"Variable": "$.v", "StringGreaterThan": "\U0001f600"}, {"v": "\uff61"})
    assert holds({"Variable": "$.v", "StringLessThan": "b"}, {"v": "a"})


def test_choice_numbers_compare_by_value() -> None:
    assert holds({"Variable": "$.v", "NumericEquals": 1}, {"v": 1.0})
    assert holds({"Variable": "$.v", "NumericLessThanEqualsPath": "$.w"}, {"v": 1.5, "w": 2})


def test_choice_timestamps_compare_as_instants_across_offsets() -> None:
    rule = {"Variable": "$.t", "TimestampEquals": "2016-08-18T17:33:00Z"}
    assert holds(rule, {"t": "2016-08-18T19:33:00+02:00"})
    assert holds(
        {"Variable": "$.t", "TimestampLessThan": "2016-08-18T17:33:00.000000002Z"},
        {"t": "2016-08-18T17:33:00.000000001Z"},
    )


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2016-08-18T17:33:00Z", True),
        ("2016-08-18T17:33:00.123456789-05:30", True),
        ("2016-08-18T17:33:00", False),
        ("2016-08-18t17:33:00z", False),
        ("2016-13-05T21:29:29Z", False),
        ("2023-02-24 12:15:56.832957", False),
        ("2023-02-24", False),
    ],
)
def test_choice_is_timestamp_follows_rfc3339_with_uppercase_t_and_z(text: str, valid: bool) -> None:
    assert (parse_timestamp(text) is not None) is valid
    assert holds({"Variable": "$.t", "IsTimestamp": True}, {"t": text}) is valid


def test_choice_reads_context_object_and_variables() -> None:
    context = PathContext({"Execution": {"Name": "run-1"}}, {"limit": 3})
    assert holds({"Variable": "$$.Execution.Name", "StringMatches": "run-*"}, {}, context)
    assert holds({"Variable": "$.n", "NumericLessThanPath": "$limit"}, {"n": 2}, context)


def test_choice_operator_table_covers_every_documented_operator() -> None:
    families = ["String", "Numeric", "Timestamp"]
    orderings = ["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"]
    expected = {f + o + p for f in families for o in orderings for p in ("", "Path")}
    expected |= {"BooleanEquals", "BooleanEqualsPath", "StringMatches"}
    expected |= {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
    assert set(OPERATORS) == expected


# ---- validation -------------------------------------------------------------------------------


def test_choice_validate_accepts_the_documentation_rules() -> None:
    assert [validate_choice_rule(rule) for rule in DOC_CHOICES] == [[], [], [], []]


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"Variable": "$.a", "Next": "X"}, "exactly one comparison operator is required, found none"),
        (
            {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "X"},
            "found StringEquals, NumericEquals",
        ),
        ({"StringEquals": "x", "Next": "X"}, "field 'Variable' is required"),
        (
            {"Variable": "a", "StringEquals": "x", "Next": "X"},
            "field 'Variable' is required and must be a path",
        ),
        ({"Variable": "$.a", "StringEqual": "x", "Next": "X"}, "unknown field 'StringEqual'"),
        ({"Variable": "$.a", "StringEquals": "x"}, "field 'Next' is required"),
        ({"Variable": "$.a", "NumericEquals": "1", "Next": "X"}, "field 'NumericEquals' must be a number"),
        (
            {"Variable": "$.a", "BooleanEquals": "true", "Next": "X"},
            "field 'BooleanEquals' must be true or false",
        ),
        ({"Variable": "$.a", "IsNull": 1, "Next": "X"}, "field 'IsNull' must be true or false"),
        (
            {"Variable": "$.a", "StringEqualsPath": "b", "Next": "X"},
            "field 'StringEqualsPath' must be a path",
        ),
        ({"Variable": "$.a", "TimestampEquals": "2016-08-18", "Next": "X"}, "must be an RFC 3339 timestamp"),
        ({"And": [], "Next": "X"}, "field 'And' must be a non-empty array"),
        ({"Not": [], "Next": "X"}, "field 'Not' must be a single Choice rule object"),
        (
            {"Not": {"Variable": "$.a", "IsNull": True, "Next": "Y"}, "Next": "X"},
            "Not: field 'Next' is only allowed",
        ),
        ({"And": [{"Variable": "$.a"}], "Next": "X"}, "And[0]: exactly one comparison operator"),
        (
            {"And": [{"Variable": "$.a", "IsNull": True}], "Or": [], "Next": "X"},
            "exactly one of And, Or, Not",
        ),
    ],
)
def test_choice_validate_names_the_faulty_field(rule: dict[str, Any], fragment: str) -> None:
    problems = validate_choice_rule(rule)
    assert any(fragment in problem for problem in problems), problems


def test_choice_evaluating_an_invalid_rule_explains_why() -> None:
    with pytest.raises(StatesError, match="exactly one comparison operator"):
        holds({"Variable": "$.a"}, {"a": 1})
