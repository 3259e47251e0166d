"""The definition language's primitives: dotted paths, templates and event-time parsing."""

from __future__ import annotations

import pytest

from eventframework.definitions.paths import compile_path
from eventframework.definitions.templates import Placeholder, TemplateSyntaxError, parse_template
from eventframework.definitions.times import parse_event_time, to_iso

DOC = {"a": {"b": {"c": 1, "d": None}}, "list": [{"id": "x"}, {"id": "y"}], "top": "t"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("top", "t"),
        ("a.b.c", 1),
        ("a.b.d", None),
        ("a.missing.c", None),
        ("list.1.id", "y"),
        ("list.-1.id", "y"),
        ("list.5.id", None),
        ("top.deeper", None),
        ("a.b.c.d.e", None),
    ],
)
def test_compile_path_reads_or_returns_none(path: str, expected: object) -> None:
    assert compile_path(path)(DOC) == expected


def test_compile_path_on_non_object_is_none() -> None:
    assert compile_path("a.b")([1, 2]) is None
    assert compile_path("a")("text") is None


def test_parse_template_splits_literals_and_placeholders() -> None:
    assert parse_template("{{x}} by {actor.name}!") == ("{x} by ", Placeholder("actor.name"), "!")


@pytest.mark.parametrize("text", ["by {actor", "by }", "by {}", "by {a b}"])
def test_parse_template_rejects_bad_syntax(text: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        parse_template(text)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-08-14T09:12:45.207Z", "2024-08-14T09:12:45.207000+00:00"),
        ("2024-08-14T11:32:50-03:00", "2024-08-14T11:32:50.000000-03:00"),
        ("2021-03-01T16:32:50.000000000Z", "2021-03-01T16:32:50.000000+00:00"),
        ("2024-08-14T09:12:45", "2024-08-14T09:12:45.000000+00:00"),
        (1723626765, "2024-08-14T09:12:45.000000+00:00"),
        (1723626765207, "2024-08-14T09:12:45.207000+00:00"),
        ("1723626765", "2024-08-14T09:12:45.000000+00:00"),
    ],
)
def test_parse_event_time_accepts_iso_and_epochs(value: object, iso: str) -> None:
    assert to_iso(parse_event_time(value)) == iso


@pytest.mark.parametrize("value", [None, True, "", "yesterday", {"t": 1}, "2024-13-45T00:00:00Z"])
def test_parse_event_time_rejects_unusable_values(value: object) -> None:
    with pytest.raises(ValueError):
        parse_event_time(value)
