"""Intrinsic functions: the AWS documentation's examples, argument errors, and the parser's messages."""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventframework.local.engine.errors import StatesError
from eventframework.local.engine.intrinsics import (
    IntrinsicArgumentError,
    IntrinsicEnvironment,
    IntrinsicSyntaxError,
    check_intrinsic,
    evaluate_intrinsic,
    looks_like_intrinsic,
)
from eventframework.local.engine.intrinsics_parser import parse, tokenize
from eventframework.local.engine.reading import PathContext

NO_CONTEXT_INPUT: dict[str, Any] = {}


def run(expression: str, data: Any = None, context: PathContext | None = None, **env: Any) -> Any:
    return evaluate_intrinsic(
        expression,
        NO_CONTEXT_INPUT if data is None else data,
        context or PathContext(),
        IntrinsicEnvironment(**env) if env else None,
    )


# ---- the documentation's examples ---------------------------------------------------------------


def test_intrinsics_array_builds_from_paths() -> None:
    assert run("States.Array($.Id)", {"Id": 123456}) == [123456]


def test_intrinsics_array_partition_keeps_the_short_tail() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    assert run("States.ArrayPartition($.inputArray,4)", data) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]


def test_intrinsics_array_contains_finds_a_value() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5}
    assert run("States.ArrayContains($.inputArray, $.lookingFor)", data) is True


def test_intrinsics_array_range_includes_the_end() -> None:
    assert run("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]


def test_intrinsics_array_get_item_reads_by_index() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}
    assert run("States.ArrayGetItem($.inputArray, $.index)", data) == 6


def test_intrinsics_array_length_counts_items() -> None:
    assert run("States.ArrayLength($.inputArray)", {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 9


def test_intrinsics_array_unique_keeps_first_occurrences_in_order() -> None:
    data = {"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}
    assert run("States.ArrayUnique($.inputArray)", data) == [1, 2, 3, 4]


def test_intrinsics_base64_round_trip() -> None:
    encoded = run("States.Base64Encode($.input)", {"input": "Data to encode"})
    assert encoded == "RGF0YSB0byBlbmNvZGU="
    assert run("States.Base64Decode($.base64)", {"base64": encoded}) == "Data to encode"


def test_intrinsics_hash_supports_every_documented_algorithm() -> None:
    data = {"Data": "input data"}
    assert run("States.Hash($.Data, 'SHA-1')", data) == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert run("States.Hash($.Data, 'SHA-512')", data) == hashlib.sha512(b"input data").hexdigest()


def test_intrinsics_json_merge_is_shallow_and_right_wins() -> None:
    data = {"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}
    assert run("States.JsonMerge($.json1, $.json2, false)", data) == {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}


def test_intrinsics_string_to_json_and_back() -> None:
    data = {"escapedJsonString": '{"foo": "bar"}', "unescapedJson": {"foo": "bar"}}
    assert run("States.StringToJson($.escapedJsonString)", data) == {"foo": "bar"}
    assert run("States.JsonToString($.unescapedJson)", data) == '{"foo":"bar"}'


def test_intrinsics_math_add_and_step() -> None:
    assert run("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110


def test_intrinsics_math_random_is_seeded_and_in_range() -> None:
    first = run("States.MathRandom($.start, $.end, $.seed)", {"start": 1, "end": 999, "seed": 7})
    again = run("States.MathRandom($.start, $.end, $.seed)", {"start": 1, "end": 999, "seed": 7})
    assert first == again and 1 <= first < 999


def test_intrinsics_math_random_uses_the_injected_source() -> None:
    one = run("States.MathRandom(0, 1000000)", rng=random.Random(42))
    two = run("States.MathRandom(0, 1000000)", rng=random.Random(42))
    assert one == two


def test_intrinsics_string_split_example() -> None:
    data = {"inputString": "1,2,3,4,5", "splitter": ","}
    assert run("States.StringSplit($.inputString, $.splitter)", data) == ["1", "2", "3", "4", "5"]


def test_intrinsics_uuid_is_a_version_4_uuid_or_the_injected_one() -> None:
    assert uuid.UUID(run("States.UUID()")).version == 4
    assert run("States.UUID()", new_uuid=lambda: "fixed") == "fixed"


def test_intrinsics_format_with_escaped_braces_and_quotes() -> None:
    data = {"name": "Arnav"}
    assert run("States.Format('Hello, my name is {}.', $.name)", data) == "Hello, my name is Arnav."
    assert run("States.Format('It\\'s \\{literal\\} {}', $.name)", data) == "It's {literal} Arnav"


def test_intrinsics_format_renders_values_as_aws_does() -> None:
    data = {"o": {"a": 1, "b": [True, None]}, "n": 1.5, "s": "x"}
    assert run("States.Format('{}|{}|{}', $.o, $.n, $.s)", data) == "{a=1, b=[true, null]}|1.5|x"


def test_intrinsics_nest_and_read_context_and_variables() -> None:
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.2.3"
    context = PathContext({"Execution": {"Name": "exec-1"}}, {"bias": 10})
    expression = (
        "States.Format('{}.{}.{}', "
        "States.ArrayGetItem(States.StringSplit("
        "States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 0), "
        "States.MathAdd($bias, 1), $$.Execution.Name)"
    )
    assert run(expression, {"Arn": arn}, context) == "1.11.exec-1"


def test_intrinsics_literals_of_every_kind() -> None:
    assert run("States.Array('a', -1, 2.5, true, false, null)") == ["a", -1, 2.5, True, False, None]


# ---- argument errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("States.ArrayGetItem(States.Array(1), 1)", "index 1 is out of bounds"),
        ("States.ArrayPartition(States.Array(1), 0)", "chunk size must be a positive integer"),
        ("States.ArrayRange(0, 2000, 1)", "at most 1000"),
        ("States.ArrayRange(0, 10, 0)", "step must not be 0"),
        ("States.ArrayLength('abc')", "must be an array, got string"),
        ("States.Hash('x', 'SHA-999')", "not supported"),
        ("States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{}'), true)", "deep merging"),
        ("States.StringToJson('{not json')", "not valid JSON"),
        ("States.Base64Decode('***')", "not Base64"),
        ("States.MathAdd('1', 2)", "must be a number"),
        ("States.MathAdd(2147483647, 1)", "32-bit"),
        ("States.Format('{} {}', 1)", "2 '{}' placeholders but 1 values"),
        ("States.MathRandom(5, 5)", "start (5) must be less than the end (5)"),
    ],
)
def test_intrinsics_bad_arguments_raise_intrinsic_failure(expression: str, fragment: str) -> None:
    with pytest.raises(IntrinsicArgumentError) as caught:
        run(expression)
    assert caught.value.error == "States.IntrinsicFailure"
    assert caught.value.cause is not None and fragment in caught.value.cause
    assert caught.value.function == expression.split("(", 1)[0]


def test_intrinsics_text_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(IntrinsicArgumentError, match="at most 10000"):
        run("States.Base64Encode($.s)", {"s": "a" * 10001})


def test_intrinsics_missing_path_is_a_runtime_error() -> None:
    with pytest.raises(StatesError) as caught:
        run("States.Format('{}', $.absent)", {"present": 1})
    assert caught.value.error == "States.Runtime"


def test_intrinsics_wrong_argument_count_is_reported() -> None:
    with pytest.raises(StatesError, match=r"States.ArrayLength takes 1 argument\(s\) but was given 2"):
        run("States.ArrayLength($.a, $.b)", {"a": [], "b": []})


def test_intrinsics_unknown_function_names_the_known_ones() -> None:
    with pytest.raises(StatesError, match=r"Unknown intrinsic function 'States\.Nope'.*States\.Array"):
        run("States.Nope()")


# ---- parser -------------------------------------------------------------------------------------


def test_intrinsics_tokenize_marks_positions() -> None:
    kinds = [(token.kind, token.position) for token in tokenize("States.Format('{}', $.x)")]
    assert kinds == [
        ("name", 0),
        ("lparen", 13),
        ("string", 14),
        ("comma", 18),
        ("path", 20),
        ("rparen", 23),
        ("eof", 24),
    ]


def test_intrinsics_parse_keeps_paths_with_brackets_and_commas() -> None:
    call = parse("States.Array($['a,b'][0], $$.Map.Item.Value)")
    assert [arg.path for arg in call.args] == ["$['a,b'][0]", "$$.Map.Item.Value"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("expression", "position", "reason"),
    [
        ("States.Format('a' $.x)", 18, "expected ',' or ')'"),
        ("States.Format('unterminated)", 14, "unterminated string"),
        ("States.Array(1,)", 15, "expected an argument"),
        ("Format('x')", 0, "names start with 'States.'"),
        ("States.Array(1) extra", 16, "unexpected text after"),
        ("States.Array(#)", 13, "unexpected character"),
        ("States.Format('\\n')", 15, "may be escaped"),
    ],
)
def test_intrinsics_syntax_errors_point_at_the_spot(expression: str, position: int, reason: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as caught:
        run(expression)
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert caught.value.cause is not None and caught.value.cause.endswith(" " * position + "^")


def test_intrinsics_nesting_deeper_than_ten_is_refused() -> None:
    expression = "States.ArrayLength(" * 11 + "$.a" + ")" * 11
    with pytest.raises(IntrinsicSyntaxError, match="nest at most 10"):
        parse(expression)


def test_intrinsics_check_reports_static_faults() -> None:
    assert check_intrinsic("States.Format('{}', States.UUID())") == []
    assert check_intrinsic("States.Array(States.Hash('x'))") == [
        "States.Hash takes 2 argument(s) but was given 1"
    ]
    assert "expected ',' or ')'" in check_intrinsic("States.Array(1 2)")[0]


def test_intrinsics_looks_like_intrinsic_tells_calls_from_paths() -> None:
    assert looks_like_intrinsic("States.Array($.a)")
    assert not looks_like_intrinsic("$.States")


# ---- properties -------------------------------------------------------------------------------

_JSON_SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=5)


def _quote(text: str) -> str:
    escaped = "".join("\\" + char if char in "\\'{}" else char for char in text)
    return f"'{escaped}'"


@given(st.text(max_size=40))
def test_intrinsics_any_text_survives_quoting_as_a_literal(text: str) -> None:
    assert run(f"States.Array({_quote(text)})") == [text]
    assert run(f"States.Format({_quote(text)})") == text


@given(st.lists(_JSON_SCALARS, max_size=30), st.integers(1, 8))
def test_intrinsics_array_partition_keeps_every_item_in_order(items: list[Any], size: int) -> None:
    chunks = run(f"States.ArrayPartition($.items, {size})", {"items": items})
    assert [item for chunk in chunks for item in chunk] == items
    assert all(0 < len(chunk) <= size for chunk in chunks)


@given(st.lists(_JSON_SCALARS, max_size=30))
def test_intrinsics_array_unique_is_idempotent_and_keeps_booleans_apart_from_numbers(
    items: list[Any],
) -> None:
    unique = run("States.ArrayUnique($.items)", {"items": items})
    assert run("States.ArrayUnique($.items)", {"items": unique}) == unique

    def has_true(values: list[Any]) -> bool:
        return any(value is True for value in values)

    def has_one(values: list[Any]) -> bool:
        return any(value == 1 and not isinstance(value, bool) for value in values)

    assert has_true(unique) == has_true(items)
    assert has_one(unique) == has_one(items)
