"""FetchPage counts a page it does not need to read (simdjson), and decodes it in full otherwise.

The count must be the full decode's `len(records)` whenever it answers, and it must never answer for
a page the full decode would refuse: then the full decode runs and words the error as before.
"""

from __future__ import annotations

import json

import pytest

from eventframework.fetch.jsondoc import count_array, json_pointer


@pytest.mark.parametrize(
    ("path", "pointer"),
    [("$", ""), ("$.data", "/data"), ("$.a.b", "/a/b"), ("$.a/b", "/a~1b"), ("$.x~y", "/x~0y")],
)
def test_json_pointer_of_a_plain_records_path(path: str, pointer: str) -> None:
    assert json_pointer(path) == pointer


@pytest.mark.parametrize("path", ["$[0]", "$.items[*]", "$..events", "$.a[?(@.b)]", "items"])
def test_json_pointer_refuses_a_richer_path(path: str) -> None:
    assert json_pointer(path) is None


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ([{"a": 1}, {"b": [1, 2]}], ""),
        ({"data": {"items": [1, 2, 3]}}, "/data/items"),
        ([], ""),
        ({"data": []}, "/data"),
    ],
)
def test_count_array_is_the_full_decodes_length(document: object, pointer: str) -> None:
    body = json.dumps(document).encode()
    records = json.loads(body)
    for key in filter(None, pointer.split("/")):
        records = records[key]
    assert count_array(body, pointer) == len(records)


@pytest.mark.parametrize(
    "body",
    [
        b"[1,2",  # truncated
        b"[NaN]",  # Python's json accepts it, JSON does not: the full decode decides
        b'["\xff"]',  # not UTF-8
        b"[18446744073709551616]",  # past 64 bits
        b"[" * 5000 + b"]" * 5000,  # deeper than the parser goes
        b'{"data": {}}',  # no array where the records are
    ],
)
def test_count_array_leaves_every_doubtful_page_to_the_full_decode(body: bytes) -> None:
    assert count_array(body, "/data" if body.startswith(b"{") else "") is None


def test_count_array_of_a_missing_records_key_is_left_to_the_full_decode() -> None:
    assert count_array(b'{"kind": "list"}', "/items") is None
