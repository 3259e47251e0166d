"""Fast acceptance of valid events, with the reference validators as the only source of rejections.

Most events are valid, so the hot path only needs a quick, exact *yes*. Each fast check here is
either as strict as the JSON Schema it stands for or stricter; whenever it says *not sure*, the
caller runs the reference fastjsonschema validator, which decides and words the error. So a fast path
can make a page faster but never changes which events are published or what a dead letter says.

* Raw events: a compiled Rust validator (jsonschema-rs) of the source schema. Both libraries count
  ``5.0`` as an integer, as JSON Schema does (fastjsonschema from 2.x; an earlier copy of each schema
  without ``integer`` sent every event with an integer field the slow way, half the catalogue);
  the Rust one rejects NaN and infinities, which the reference then decides. Schemas using
  ``format`` get no fast path (format checkers differ between libraries). Where the libraries'
  regex dialects differ, the Rust one is the stricter on the patterns sources use (``$`` does not
  accept a trailing newline).
* MozDef events: the contract checked in code (exact key set, types, lengths, the same patterns and
  the same IP format checks the schema names), see :func:`mozdef_fast_ok`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema

from eventframework.process.contract import (
    CATEGORY_CHARS,
    HOSTNAME_CHARS,
    IP_KEYS,
    IP_SCHEMA,
    ISO_WITH_OFFSET,
    NON_SPACE,
    PROCESSNAME_CHARS,
    SEVERITY_NAMES,
    SOURCE_CHARS,
    TOP_KEYS,
)

_compile_rust: Callable[[Any], Any] | None
try:  # optional accelerator: without it every raw event takes the reference validator
    from jsonschema_rs import validator_for as _compile_rust
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    _compile_rust = None

RawCheck = Callable[[Any], bool]


def _mentions(node: Any, word: str) -> bool:
    if isinstance(node, dict):
        return any(key == word or _mentions(value, word) for key, value in node.items())
    if isinstance(node, list):
        return any(_mentions(item, word) for item in node)
    return False


@lru_cache(maxsize=64)
def _raw_check(path: Path, mtime_ns: int) -> RawCheck | None:
    """The fast yes for the schema at ``path``, or None when the schema gets no fast path."""
    if _compile_rust is None:
        return None
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        if _mentions(schema, "format"):
            return None
        compiled = _compile_rust(schema)
    except Exception:  # the reference validator reports unusable schemas with a proper message
        return None
    is_valid = compiled.is_valid

    def fast_yes(value: Any) -> bool:
        try:
            return bool(is_valid(value))
        except (ValueError, TypeError, OverflowError):  # e.g. a lone surrogate: the reference decides
            return False

    return fast_yes


def raw_check_for(path: Path) -> RawCheck | None:
    """The fast raw-event check of the schema file at ``path`` (None: always use the reference)."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    return _raw_check(path, mtime)


# The MozDef contract (schemas/mozdef-event.schema.json) in code, from the constants of
# :mod:`~eventframework.process.contract`; the reference validator is the schema itself, and
# tests/unit/process/test_fastpath_perf_equivalence.py holds the two in agreement.
_ip_format = fastjsonschema.compile(IP_SCHEMA)


def _text_ok(value: Any, longest: int) -> bool:
    return type(value) is str and 0 < len(value) <= longest


def mozdef_ip_ok(value: Any) -> bool:
    """Whether MozDef's schema accepts ``value`` as an IP (ipv4/ipv6 formats, as fastjsonschema checks)."""
    try:
        _ip_format(value)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def _details_ok(details: Any) -> bool:
    if type(details) is not dict:
        return False
    event_id, source = details.get("source_event_id"), details.get("efw_source")
    if type(event_id) is not str or not event_id or type(source) is not str or not source:
        return False
    return all(key not in details or mozdef_ip_ok(details[key]) for key in IP_KEYS)


def mozdef_fast_ok(event: Any) -> bool:
    """True only for an event the MozDef schema accepts; False means "ask the reference validator"."""
    if type(event) is not dict or event.keys() != TOP_KEYS:
        return False
    summary, tags, processid = event["summary"], event["tags"], event["processid"]
    return (
        _text_ok(event["category"], CATEGORY_CHARS)
        and _text_ok(event["hostname"], HOSTNAME_CHARS)
        and _text_ok(event["processname"], PROCESSNAME_CHARS)
        and _text_ok(event["source"], SOURCE_CHARS)
        and type(summary) is str
        and NON_SPACE.search(summary) is not None
        and (type(processid) is int or type(processid) is str)
        and type(event["severity"]) is str
        and event["severity"] in SEVERITY_NAMES
        and type(tags) is list
        and all(type(tag) is str for tag in tags)
        and type(event["timestamp"]) is str
        and ISO_WITH_OFFSET.search(event["timestamp"]) is not None
        and type(event["utctimestamp"]) is str
        and ISO_WITH_OFFSET.search(event["utctimestamp"]) is not None
        and _details_ok(event["details"])
    )
