"""Input/output processing, with the examples from the AWS documentation on paths and ResultPath."""

from __future__ import annotations

import pytest

from eventframework.local.engine.errors import PathNotFoundError, StatesError
from eventframework.local.engine.paths import apply_result_path, resolve_template
from eventframework.local.engine.reading import PathContext, read_path

# The AWS docs' "Reference paths" example input.
DOC_INPUT = {
    "foo": 123,
    "bar": ["a", "b", "c"],
    "car": {"cdr": True},
    "items": [{"price": 8, "name": "pen"}, {"price": 12, "name": "book"}],
}
EMPTY = PathContext({}, {})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.foo", 123),
        ("$.bar", ["a", "b", "c"]),
        ("$.car.cdr", True),
        ("$.bar[1]", "b"),
        ("$.bar[-1]", "c"),
        ("$.bar[0:2]", ["a", "b"]),
        ("$.bar[*]", ["a", "b", "c"]),
        ("$.items[?(@.price < 10)].name", ["pen"]),
        ("$.items[?(@.price >= 10 && @.name == 'book')].price", [12]),
        ("$..name", ["pen", "book"]),
        ("$['car']['cdr']", True),
        ("$.items.length()", 2),
    ],
)
def test_read_path_follows_jsonpath_semantics(path: str, expected: object) -> None:
    assert read_path(path, DOC_INPUT, EMPTY) == expected


def test_read_path_missing_definite_path_raises_runtime_with_aws_cause() -> None:
    with pytest.raises(PathNotFoundError) as raised:
        read_path("$.car.nope", DOC_INPUT, EMPTY)
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == "Invalid path '$.car.nope' : No results for path: $['car']['nope']"


def test_read_path_indefinite_path_without_matches_is_empty_list() -> None:
    assert read_path("$.nothing[*]", DOC_INPUT, EMPTY) == []


def test_read_path_reads_context_object_and_variables() -> None:
    context = PathContext({"Execution": {"Name": "run-1"}}, {"cursor": {"next": "abc"}})
    assert read_path("$$.Execution.Name", {}, context) == "run-1"
    assert read_path("$cursor.next", {}, context) == "abc"


def test_read_path_undefined_variable_is_runtime_error() -> None:
    with pytest.raises(StatesError, match="'missing'"):
        read_path("$missing", {}, EMPTY)


def test_resolve_template_replaces_dollar_keys_and_keeps_literals() -> None:
    template = {"flagged": True, "parts": {"first.$": "$.bar[0]", "subset.$": "$.bar[1:]"}, "list": ["$.foo"]}
    assert resolve_template(template, DOC_INPUT, EMPTY) == {
        "flagged": True,
        "parts": {"first": "a", "subset": ["b", "c"]},
        "list": ["$.foo"],
    }


def test_resolve_template_missing_path_names_the_field() -> None:
    with pytest.raises(StatesError) as raised:
        resolve_template({"value.$": "$.nope"}, {"a": 1}, EMPTY)
    assert raised.value.cause == (
        "The JSONPath '$.nope' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"
    )


def test_apply_result_path_docs_example_merges_into_input() -> None:
    # AWS docs: ResultPath "$.taskresult" adds the result next to the input.
    state_input = {"comment": "An input comment.", "data": {"val1": 23, "val2": 17}}
    output = apply_result_path("$.taskresult", True, state_input, "Hello, AWS Step Functions!")
    assert output == {**state_input, "taskresult": "Hello, AWS Step Functions!"}
    assert "taskresult" not in state_input


def test_apply_result_path_nested_path_creates_objects_and_replaces_values() -> None:
    output = apply_result_path("$.data.result.value", True, {"data": {"val1": 23, "result": 5}}, 40)
    assert output == {"data": {"val1": 23, "result": {"value": 40}}}


def test_apply_result_path_null_keeps_input_and_absent_takes_result() -> None:
    assert apply_result_path(None, True, {"a": 1}, {"b": 2}) == {"a": 1}
    assert apply_result_path(None, False, {"a": 1}, {"b": 2}) == {"b": 2}
    assert apply_result_path("$", True, {"a": 1}, {"b": 2}) == {"b": 2}


def test_apply_result_path_into_non_object_input_fails_with_match_failure() -> None:
    with pytest.raises(StatesError) as raised:
        apply_result_path("$.x", True, [1, 2], 3)
    assert raised.value.error == "States.ResultPathMatchFailure"
