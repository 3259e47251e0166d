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

import re
from typing import Any

import orjson

_LONG_DIGITS = re.compile(rb"[0-9]{19,}")
_NUMBER_START = frozenset(b"[,:")
_SKIPPED_BEFORE_DIGITS = frozenset(b" \t\n\r-")


def may_hold_big_integer(body: bytes) -> bool:
    """True when an integer token of 19 digits or more may occur (no false negatives)."""
    for match in _LONG_DIGITS.finditer(body):
        index = match.start() - 1
        while index >= 0 and body[index] in _SKIPPED_BEFORE_DIGITS:
            index -= 1
        if index < 0 or body[index] in _NUMBER_START:
            return True
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
