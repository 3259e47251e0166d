"""Compact JSON text on the hot path: orjson, with the standard library wherever the two could differ.

orjson is several times faster than json.dumps. For plain JSON values its text decodes to the same
value; it differs in spelling only: UTF-8 where ``ensure_ascii`` escapes, DEL (0x7f) unescaped,
non-zero floats below 1e-4 written ``0.00001`` / ``1.5e-7`` (json.dumps: ``1e-05`` / ``1.5e-07``),
and NaN/Infinity (not JSON, though json.loads accepts them in a vendor page) as ``null``. So:

* orjson is told to refuse every type json.dumps would treat differently (datetimes, dataclasses,
  subclasses), and the standard library takes those;
* ``details.raw`` is a string holding JSON text: orjson's text is used only when it is pure ASCII
  (so the string is json.dumps's, tiny floats aside) and short enough that no cut can fall in it;
* where a length decides (the cut at ``keep_raw.max_bytes``, the 256 KB event limit), orjson's
  length is trusted only with a margin that proves the decision (json.dumps's text is at most
  ``ASCII_EXPANSION`` times longer, or ``FLOAT_SLACK`` for ASCII text); otherwise the reference
  text decides.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Types json.dumps would reject (or encode differently) are left to it: orjson must raise on them.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
# Worst case of json.dumps(ensure_ascii=True) length over orjson's: one UTF-8 byte becomes at most
# 6 characters (\uXXXX for 2-3 byte characters, two of them for 4 bytes); a float gains at most 1.
ASCII_EXPANSION = 6
# For ASCII text only floats differ: "1e-7" (4 characters at least) may become "1e-07".
FLOAT_SLACK = 1.25
# SQS's limit for one message, so MozDef's limit for one event's body.
MAX_EVENT_BYTES = 256 * 1024


def fast_bytes(value: Any) -> bytes | None:
    """orjson's compact text of a plain JSON value, or None when orjson will not encode it."""
    try:
        return orjson.dumps(value, option=_STRICT)
    except (TypeError, ValueError):
        return None


def raw_json(value: Any, text: bytes | None, max_chars: int) -> tuple[str, bool]:
    """(``value`` as compact JSON text, whether it was cut at ``max_chars``), as json.dumps would do it.

    ``text``: orjson's bytes of ``value`` when the caller has them. Pure ASCII orjson text is used as
    is; every case where a cut may fall (or fall elsewhere) takes the reference encoder.
    """
    if text is None:
        text = fast_bytes(value)
    if text is not None and usable_as_raw(text, max_chars):
        return text.decode("ascii"), False
    reference = json.dumps(value, default=str, separators=(",", ":"))
    if len(reference) > max_chars:
        return reference[:max_chars], True
    return reference, False


def usable_as_raw(text: bytes, max_chars: int) -> bool:
    """Whether orjson's ``text`` is json.dumps's own (pure ASCII, no DEL; floats aside) and too short
    for a cut at ``max_chars`` to fall anywhere in it."""
    return len(text) * FLOAT_SLACK < max_chars and text.isascii() and b"\x7f" not in text


def surely_within_event_limit(text: bytes) -> bool:
    """Whether orjson's ``text`` of a plain event proves it within MAX_EVENT_BYTES as json.dumps
    (ensure_ascii) would measure it; False means "let the reference measure it"."""
    return len(text) * ASCII_EXPANSION <= MAX_EVENT_BYTES


def body_json(value: Any) -> str:
    """The SQS body of an event: compact JSON with UTF-8 kept, as json.dumps(ensure_ascii=False)."""
    text = fast_bytes(value)
    if text is not None:
        return text.decode("utf-8")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
