"""Hypothesis strategies for hostile bodies: a valid JSON document bent into what an attacker or a
broken vendor sends (nesting past every limit, numbers no parser should trust, invalid UTF-8,
duplicate keys, a wrong type in any field, oversized values, a truncated tail). Shared by the
webhook fuzz test (over HTTP) and the pulled-page fuzz test, so both face the same inputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from tests.support.json_values import json_values

# Depths around every limit on the way: orjson's serialiser (255), the interpreter's recursion
# limit (~1,000, where json.dumps and validation give up), orjson's parser (1,024) and far past it.
DEPTHS = (20, 256, 700, 990, 1000, 1020, 1024, 1025, 1100, 5000)
NUMBERS = (
    b"1" + b"0" * 30,
    b"-" + b"9" * 400,
    b"1" + b"0" * 4400,  # past Python's 4,300-digit int conversion limit
    b"1e400",
    b"-1e400",
    b"NaN",
    b"Infinity",
    b"1.5e-400",
)
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80")

Mutation = Callable[[bytes], bytes]


def nested(depth: int, opener: bytes) -> bytes:
    closer = b"}" if opener.startswith(b"{") else b"]"
    return opener * depth + b"1" + closer * depth


def _with_field(record: dict[str, Any], name: str, value: bytes) -> bytes:
    """``record`` as JSON text with ``name`` set to the raw JSON text ``value`` (appended last, so a
    name already present becomes a duplicate key: parsers keep the last one)."""
    text = json.dumps(record, ensure_ascii=False).encode("utf-8")
    return text[:-1] + b', "' + name.encode("utf-8") + b'": ' + value + b"}"


@st.composite
def hostile_records(draw: st.DrawFn, base: dict[str, Any], oversized_bytes: int) -> bytes:
    """One record's JSON text, derived from ``base`` with one hostile change."""
    field = draw(st.sampled_from(sorted(base)) | st.just("efwExtra"))
    kind = draw(st.sampled_from(["depth", "number", "utf8", "duplicate", "wrong_type", "oversized"]))
    if kind == "depth":
        value = nested(draw(st.sampled_from(DEPTHS)), draw(st.sampled_from([b"[", b'{"a":'])))
    elif kind == "number":
        value = draw(st.sampled_from(NUMBERS))
    elif kind == "utf8":
        value = b'"x' + draw(st.sampled_from(INVALID_UTF8)) + b'y"'
    elif kind == "duplicate":
        value = json.dumps(draw(st.text(max_size=8))).encode("utf-8")
    elif kind == "wrong_type":
        value = json.dumps(draw(json_values(max_leaves=6))).encode("utf-8")
    else:
        value = b'"' + b"z" * (oversized_bytes + 1) + b'"'
    return _with_field(base, field, value)


@st.composite
def hostile_pages(draw: st.DrawFn, base: list[dict[str, Any]], oversized_bytes: int) -> bytes:
    """A page (a JSON list of records) mixing valid records with hostile ones; sometimes the page
    itself is nested past every limit, a scalar, empty, not UTF-8 or cut short."""
    records = [json.dumps(record).encode("utf-8") for record in base]
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(base) - 1))
        records[index] = draw(hostile_records(base[index], oversized_bytes))
    body = b"[" + b",".join(records) + b"]"
    shape = draw(st.sampled_from(["records", "records", "records", "nested", "scalar", "truncated"]))
    if shape == "nested":
        return nested(draw(st.sampled_from(DEPTHS)), draw(st.sampled_from([b"[", b'{"a":'])))
    if shape == "scalar":
        return draw(st.sampled_from([*NUMBERS, b"null", b'"text"', b"{}", b"", b"\xff\xfe"]))
    if shape == "truncated":
        return body[: draw(st.integers(0, max(len(body) - 1, 0)))]
    return body
