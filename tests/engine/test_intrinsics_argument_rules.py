"""Intrinsic argument rules as the AWS page states them, and the page's examples not covered in
`test_intrinsics.py`.

Source: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html, the "Input
validation" notes. ArrayPartition (chunk size), ArrayRange (all three) and MathRandom (start, end)
want integers, and "If you specify a non-integer value ... Step Functions will round it off to the
nearest integer"; MathAdd rounds too and wants values "in the range of -2147483648 and 2147483647".
Rounding goes half up, as AWS's recorded MathAdd results show (1.5 -> 2, 2.5 -> 3, -2.5 -> -2, in
the conformance cases). AWS ran `States.MathRandom($.fst, $.snd)` with 12.5 and 44.51 and succeeded
(LocalStack's AWS-validated `test_math_operations.snapshot.json`, `test_math_random`
`exec_hist_resp_0`), where the engine used to refuse the non-integer bounds.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from eventframework.local.engine.intrinsics import (
    IntrinsicArgumentError,
    IntrinsicEnvironment,
    evaluate_intrinsic,
)
from eventframework.local.engine.reading import PathContext


def run(expression: str, data: Any = None, seed: int | None = None) -> Any:
    env = IntrinsicEnvironment(rng=random.Random(seed)) if seed is not None else None
    return evaluate_intrinsic(expression, {} if data is None else data, PathContext(), env)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("States.ArrayPartition(States.Array(1, 2, 3, 4, 5), 2.5)", [[1, 2, 3], [4, 5]]),
        ("States.ArrayPartition(States.Array(1, 2, 3), 1.49)", [[1], [2], [3]]),
        ("States.ArrayRange(1.4, 9.6, 2.5)", [1, 4, 7, 10]),
        ("States.ArrayRange(0.5, -2.5, -1)", [1, 0, -1, -2]),
    ],
)
def test_intrinsics_argument_rules_round_non_integers_half_up(expression: str, expected: Any) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize("seed", range(20))
def test_intrinsics_argument_rules_math_random_rounds_non_integer_bounds(seed: int) -> None:
    value = run("States.MathRandom($.fst, $.snd)", {"fst": 12.5, "snd": 44.51}, seed=seed)

    assert isinstance(value, int) and 13 <= value < 45


def test_intrinsics_argument_rules_math_random_reaches_the_rounded_bounds() -> None:
    seen = {run("States.MathRandom(0.5, 2.5)", seed=seed) for seed in range(200)}

    assert seen == {1, 2}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("States.ArrayPartition(States.Array(1), 0.4)", "chunk size must be a positive integer, got 0"),
        ("States.ArrayRange(0, 10, 0.4)", "the step must not be 0"),
        ("States.MathAdd(2147483648, -1)", "first value 2147483648 is outside the 32-bit range"),
        ("States.MathAdd(0, -2147483649)", "second value -2147483649 is outside the 32-bit range"),
        ("States.MathRandom(1.6, 1.5)", "the start (2) must be less than the end (2)"),
        ("States.ArrayRange(0, 1000000000, 1)", "would hold 1000000001 items; at most 1000"),
    ],
)
def test_intrinsics_argument_rules_refuse_what_the_page_forbids(expression: str, message: str) -> None:
    with pytest.raises(IntrinsicArgumentError, match=re.escape(message)) as raised:
        run(expression)

    assert raised.value.error == "States.IntrinsicFailure"


def test_intrinsics_argument_rules_math_add_accepts_the_32_bit_edges() -> None:
    assert run("States.MathAdd(2147483647, -2147483648)") == -1


# ---- the page's examples that test_intrinsics.py does not hold ----------------------------------


def test_intrinsics_documented_string_split_on_several_delimiters() -> None:
    data = {"inputString": "This.is+a,test=string", "splitter": ".+,="}

    assert run("States.StringSplit($.inputString, $.splitter)", data) == ["This", "is", "a", "test", "string"]


def test_intrinsics_documented_format_takes_its_template_from_a_path() -> None:
    data = {"name": "Arnav", "template": "Hello, my name is {}."}

    assert run("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."


def test_intrinsics_documented_nine_nested_calls() -> None:
    # The page writes '{}.{}.{}' for two values, which its own States.Format rule ("as many remaining
    # arguments ... as there are occurrences of {}") refuses; the nesting is the point, so two here.
    expression = (
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
        "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))"
    )
    data = {"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/recipe/1.2.3"}}

    assert run(expression, data) == "1.2"


def test_intrinsics_documented_bracket_notation_after_a_dot() -> None:
    data = {"abc": {"def ghi": "spaced"}}

    assert run("States.Array($.abc.['def ghi'], $.abc['def ghi'])", data) == ["spaced", "spaced"]
