"""Decoding a page body: orjson when its answer is certain to be the standard library's, else ``json``.

A 1,000-event page is 2-3 MB; ``json.loads`` spends 40-75 ms on it, orjson about half that, and a
page is decoded twice per pull loop (FetchPage for pagination, ProcessPage for the events). The
result must still be exactly what ``json.loads`` returns, since the events are validated against
vendor schemas and their ids go to the ledger. Two differences exist and both are handled here:

* orjson *rejects* some documents Python accepts (NaN/Infinity, lone surrogate escapes, numbers
  that overflow a double); any orjson error falls back to ``json``, which either parses the page or
  raises the error (and message) the caller has always seen.
* orjson silently turns an integer outside 64 bits into a float. Such an integer has at least 19
  digits, so a page with a 19-digit run that could be a number token (``[``, ``,``, ``:`` or the
  start before it, then whitespace or a sign) goes to ``json``. Runs inside strings (hashes, ids)
  rarely look like that and cost only the slower path when they do.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson
import simdjson

BIG_DIGITS = 19  # 10**18 - 1 is the longest run every 64-bit integer type holds
# Every ASCII digit becomes "0", so one substring search finds digit runs (a regex scan of a 2.6 MB
# page takes 60-90 ms, as long as the decode it guards; translate and find take ~5 ms).
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= code <= 0x39 else code for code in range(256))
_RUN = b"0" * BIG_DIGITS
_ZERO = 0x30
_NUMBER_START = frozenset(b"[,:")
_SKIPPED_BEFORE_DIGITS = frozenset(b" \t\n\r-")


def may_hold_big_integer(body: bytes) -> bool:
    """True when an integer token of 19 digits or more may occur (no false negatives)."""
    digits = body.translate(_DIGITS_AS_ZERO)
    start = digits.find(_RUN)
    while start >= 0:
        before = start - 1
        while before >= 0 and body[before] in _SKIPPED_BEFORE_DIGITS:
            before -= 1
        if before < 0 or body[before] in _NUMBER_START:
            return True
        end = start + BIG_DIGITS
        while end < len(digits) and digits[end] == _ZERO:
            end += 1
        start = digits.find(_RUN, end)
    return False


def loads_fast(body: bytes) -> tuple[bool, Any]:
    """``(True, value)`` when orjson decoded ``body`` to exactly what ``json.loads`` would return;
    ``(False, None)`` when the caller must decode it with ``json`` (which also words any error)."""
    if may_hold_big_integer(body):
        return False, None
    try:
        return True, orjson.loads(body)
    except orjson.JSONDecodeError:
        return False, None  # not necessarily invalid for json (NaN, lone surrogates, ...)


def loads_text(text: str) -> Any:
    """``json.loads``, with the two hostile documents it does not word as a
    :class:`json.JSONDecodeError` reported as one, which every caller already turns into its own
    clear refusal (a webhook 400, a malformed page, a dead letter kept as text) instead of an
    exception that crashes the handler: nesting past the interpreter's recursion limit (a
    ``RecursionError``; orjson, tried first on pages, refuses past depth 1024 by itself), and an
    integer longer than Python converts from text (a plain ``ValueError``, 4,300 digits)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("document nested too deeply to parse", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError:
        message = f"a number has more than {sys.get_int_max_str_digits()} digits"
        raise json.JSONDecodeError(message, text, 0) from None


def json_pointer(records_path: str) -> str | None:
    """The RFC 6901 pointer of a plain records path (``$``, ``$.a.b``); None for anything richer."""
    if records_path == "$":
        return ""
    if not records_path.startswith("$.") or any(mark in records_path for mark in "[]*?@()'\""):
        return None
    keys = records_path[2:].split(".")
    if not all(keys):
        return None  # `$..x` is a recursive descent, not a key
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in keys)


def count_array(body: bytes, pointer: str) -> int | None:
    """How many items the array at ``pointer`` holds, from a parse that validates the whole document
    (syntax, UTF-8) but builds no Python objects: simdjson, ~0.5 ms for a 2.6 MB page where a decode
    takes ~40. None when it cannot tell (invalid JSON, NaN, a 65-bit integer, no array there): the
    caller then decodes the page in full, which also words any error exactly as before."""
    try:
        document = simdjson.Parser().parse(body)
        containers = (simdjson.Object, simdjson.Array)
        found = document.at_pointer(pointer) if pointer and isinstance(document, containers) else document
    except (ValueError, KeyError, IndexError, TypeError, RuntimeError):  # RuntimeError: too deep
        return None
    return len(found) if isinstance(found, simdjson.Array) else None
