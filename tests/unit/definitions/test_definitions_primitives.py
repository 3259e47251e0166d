"""The definition language's primitives: dotted paths, templates, event times and event ids."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eventframework.definitions import load_source
from eventframework.definitions.identity import content_key, event_id_reader, id_paths
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
        # RFC 2822, as Quay writes its log times
        ("Wed, 14 Aug 2024 09:12:45 -0000", "2024-08-14T09:12:45.000000+00:00"),
        ("14 Aug 2024 11:12:45 +0200", "2024-08-14T11:12:45.000000+02:00"),
    ],
)
def test_parse_event_time_accepts_iso_and_epochs(value: object, iso: str) -> None:
    assert to_iso(parse_event_time(value)) == iso


@pytest.mark.parametrize(
    "value",
    [None, True, "", "yesterday", {"t": 1}, "2024-13-45T00:00:00Z", "Wed, 32 Aug 2024 09:12:45 -0000"],
)
def test_parse_event_time_rejects_unusable_values(value: object) -> None:
    with pytest.raises(ValueError):
        parse_event_time(value)


def test_event_id_reader_composite_and_content_ids() -> None:
    google = load_source("google-workspace-login")
    read = event_id_reader(google)
    activity = {"id": {"time": "2024-08-14T09:14:30.004Z", "uniqueQualifier": "-731"}}
    assert read(activity) == "2024-08-14T09:14:30.004Z/-731"
    assert read({"id": {"uniqueQualifier": "-731"}}) is None, "every part of a composite id must be there"
    assert id_paths(google) == ("id.time", "id.uniqueQualifier")
    content = event_id_reader(replace(google, event_id_path="$sha256"))
    assert content({"b": 1, "a": [2]}) == content({"a": [2], "b": 1}) == content_key({"a": [2], "b": 1})
    assert content("not an object") is None


def test_compile_path_selects_a_list_element_by_field_value() -> None:
    activity = {
        "events": [{"parameters": [{"name": "doc_id", "value": "1x"}, {"name": "doc_title", "value": "Q3"}]}]
    }
    assert compile_path("events.0.parameters.[name=doc_title].value")(activity) == "Q3"
    assert compile_path("events.0.parameters.[name=owner].value")(activity) is None
    assert compile_path("events.[name=doc_title]")({"events": {"name": "doc_title"}}) is None
    (part,) = [
        p
        for p in parse_template("{events.0.parameters.[name=doc_title].value}!")
        if isinstance(p, Placeholder)
    ]
    assert part.path == "events.0.parameters.[name=doc_title].value"
