"""parse_records decodes through orjson only where the result is json.loads's own, value and type."""

from __future__ import annotations

import json
import math

import pytest

from eventframework.definitions.model import SourceDefinition
from eventframework.fetch import MalformedPageError, parse_records
from eventframework.fetch.jsondoc import loads_fast, may_hold_big_integer

# Documents on which orjson and json.loads could disagree, each wrapped as an Okta page (a list).
ODD_PAGES = [
    b'[{"id": 18446744073709551616}]',  # 2**64: orjson would give a float
    b'[{"id": -9223372036854775809}]',  # below -2**63
    b'[{"n": 123456789012345678901234567890}]',
    b"[123456789012345678901234567890]",
    b'[{"n":\n  -1234567890123456789012}]',
    b'[{"v": NaN}, {"v": Infinity}, {"v": -Infinity}]',
    b'[{"v": 1e400}]',
    b'[{"s": "\\ud800 lone surrogate"}]',
    b'[{"s": "\\ud83d\\ude00 pair"}]',
    b'[{"a": 1, "a": 2}]',
    b'[{"f": 0.1, "g": 5e-324, "h": 1.7976931348623157e308, "i": -0.0}]',
    b'[{"big": 18446744073709551615, "small": -9223372036854775808}]',
    b'[{"hash": "2946682059272530547b877cf", "t": "x:12345678901234567890"}]',
    '[{"name": "Zo\u00eb", "emoji": "\U0001f600"}]'.encode(),
]


def _same(left: object, right: object) -> bool:
    """Equal values of equal types all the way down (NaN equal to NaN, -0.0 distinct from 0.0)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or (
            left == right and math.copysign(1, left) == math.copysign(1, right)
        )
    return left == right


@pytest.mark.parametrize("body", ODD_PAGES)
def test_parse_records_odd_pages_equal_json_loads(okta: SourceDefinition, body: bytes) -> None:
    document, records = parse_records(okta, body, "https://example.test/logs")
    expected = json.loads(body.decode("utf-8"))
    assert _same(document, expected)
    assert records is document


def test_loads_fast_declines_pages_with_big_integers() -> None:
    assert loads_fast(b'[{"id": 18446744073709551616}]') == (False, None)
    assert loads_fast(b'[{"id": 184467440737095516}]') == (True, [{"id": 184467440737095516}])


def test_loads_fast_declines_what_orjson_rejects() -> None:
    assert loads_fast(b"[NaN]") == (False, None)
    assert loads_fast(b"[1,") == (False, None)


def test_may_hold_big_integer_ignores_digit_runs_inside_strings() -> None:
    assert not may_hold_big_integer(b'{"hash": "ab12345678901234567890cd", "id": "x-12345678901234567890"}')
    assert may_hold_big_integer(b"1234567890123456789")
    assert may_hold_big_integer(b'{"a":[1, -1234567890123456789]}')
    assert may_hold_big_integer(b'{"a":\t\r\n1234567890123456789}')
    assert may_hold_big_integer(b'{"h": "12345678901234567890", "n": 12345678901234567890}')


def test_parse_records_okta_page_takes_the_fast_path(okta: SourceDefinition) -> None:
    from eventframework.local.sandbox.okta_events import OktaEventFactory

    factory = OktaEventFactory(7)
    body = json.dumps([factory(i, 1_700_000_000_000 + i) for i in range(50)]).encode()
    decoded, document = loads_fast(body)
    assert decoded
    assert _same(document, json.loads(body))
    assert _same(parse_records(okta, body, "https://example.test/logs")[0], json.loads(body))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"a": 1,}]', r"invalid JSON \(Expecting property name enclosed in double quotes\) at byte 9"),
        (b'[{"a": 1', r"truncated JSON \(the body ends early\)"),
        (b'[{"a": "\xff"}]', r"body is not UTF-8 at byte 8"),
        (b"\xef\xbb\xbf[]", r"invalid JSON \(Unexpected UTF-8 BOM"),
        (b"[0123]", r"invalid JSON \(Expecting ',' delimiter\)"),
    ],
)
def test_parse_records_errors_keep_the_json_messages(
    okta: SourceDefinition, body: bytes, message: str
) -> None:
    with pytest.raises(MalformedPageError, match=message):
        parse_records(okta, body, "https://example.test/logs")
