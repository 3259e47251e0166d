"""One generated function per source that turns a valid raw event into its MozDef event and SQS body.

The reference path (:class:`~eventframework.process.mapping.Normaliser`, then the MozDef contract
and size checks in :mod:`eventframework.process.page`) maps an event, moves invalid IPs aside,
bounds ``details`` with the walker and re-checks every event against the contract. The builder
written here does the same mapping with the same code and skips the rest wherever it can prove it
unnecessary, so no rule of the mapping is written twice:

* the mapping itself is written into the builder by the normaliser's own ``write_details`` and
  ``write_event`` (:mod:`eventframework.process.mapping`: paths, tables by ``table_key``,
  defaults, constants, templates by ``placeholder_text``, the contract's cuts, severity tables,
  tags, timestamps, the event's keys), the very lines its reference functions run, with
  :meth:`~.Normaliser.stamped` (raw text, event id, source) called between them;
* the MozDef contract is :mod:`eventframework.process.contract`'s constants, which the schema test
  holds to ``schemas/mozdef-event.schema.json``; IP validity is :func:`~.bounds.ip_stays` and
  :func:`~.fastpath.mozdef_ip_ok` (:func:`ip_kept_and_accepted` joins them, with a dotted-quad
  shortcut a property test holds to both);
* what is the builder's own is only proof that a reference step would change nothing, settled per
  source where the definition allows it: no invalid IP to move, ``details`` within the field budget
  and string cap (from the raw text's length and :func:`~.bounds.values_within`), static texts
  non-empty, severity outcomes all MozDef's, summary surely not blank, body surely within 256 KB.

Whenever a proof fails for an event (the fast raw-schema check is unsure, an IP would be moved or
rejected, details may need bounding, a text or timestamp is outside the contract, the event is near
the size limit), the builder returns None and the caller takes the reference path, which decides
and words any dead letter. For every event it does build, event and body equal the reference's
(``tests/unit/process/test_fused_equivalence.py``), and changing a rule in its one place changes
both paths alike (``tests/unit/process/test_mapping_rules_once.py``). Keys and texts enter the
generated code only as ``repr`` literals or as namespace constants.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from eventframework.definitions.model import SourceDefinition, ValueKind, ValueSpec
from eventframework.definitions.paths import plain_keys
from eventframework.process.bounds import IP_CACHE_SIZE, bound_details, ip_stays, kept_scalar, values_within
from eventframework.process.contract import IP_KEYS, ISO_WITH_OFFSET, NON_SPACE, SEVERITY_NAMES, SOURCE_CHARS
from eventframework.process.encoding import fast_bytes, surely_within_event_limit
from eventframework.process.fastpath import RawCheck, mozdef_ip_ok
from eventframework.process.mapping import TEXT_CHARS, Code, Normaliser, Template

Built = tuple[dict[str, Any], bytes]
# (raw event, its id, its aware event time, orjson's text of the raw event) -> (event, body) or None
FusedBuilder = Callable[[dict[str, Any], str, datetime, bytes], Built | None]

# A dotted quad of 0-255 without leading zeros: the schema's own ipv4 format (fastjsonschema's
# pattern), which ``ipaddress`` accepts too, so a match settles both checks at regex speed.
_PLAIN_IPV4 = re.compile(
    r"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def ip_kept_and_accepted(value: Any) -> bool:
    """Whether the reference path leaves an IP key's value in place (:func:`ip_stays`) and MozDef's
    schema accepts it (:func:`mozdef_ip_ok`); a plain dotted quad settles both at regex speed."""
    if type(value) is str and _PLAIN_IPV4.fullmatch(value) is not None:
        return True
    return ip_stays(value) and (value is None or _ip_accepted(value))


@lru_cache(maxsize=IP_CACHE_SIZE)
def _ip_accepted(value: str) -> bool:
    return mozdef_ip_ok(value)


def _needs_bounding(definition: SourceDefinition) -> bool:
    """Whether a constant, table value or default could itself need bounding (a container or a long
    string): then every event's details go through ``bound_details``."""
    max_chars = definition.mapping.limits.max_string_chars
    outcomes: list[Any] = []
    for spec in definition.mapping.details.values():
        outcomes += [spec.constant, spec.default, *(spec.table or {}).values()]
    return not all(kept_scalar(value, max_chars) for value in outcomes)


_SCALAR_TYPES = frozenset(("string", "number", "integer", "boolean", "null"))


def _schema_scalar(schema: Any, keys: tuple[str, ...]) -> bool:
    """Whether ``schema`` lets only scalars (or nothing) sit at ``keys`` in a valid document.

    Follows ``properties`` only; a node with ``$ref`` (draft 7 ignores its siblings) or a key the
    schema does not name (``additionalProperties`` may allow anything) means "not sure". JSON
    Schema keywords all apply at once, so a ``type`` of scalars holds whatever else the node says.
    """
    node = schema
    for key in keys:
        properties = node.get("properties") if isinstance(node, dict) and "$ref" not in node else None
        if not isinstance(properties, dict) or key not in properties:
            return False
        node = properties[key]
    if not isinstance(node, dict) or "$ref" in node:
        return False
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return isinstance(kinds, list) and bool(kinds) and set(kinds) <= _SCALAR_TYPES


def _surely_not_blank(template: Template, max_chars: int) -> bool:
    """Whether every rendering, cut at ``max_chars``, keeps a non-space character of the template's start."""
    first = template.parts[0] if template.parts else None
    if not isinstance(first, str):
        return False
    match = NON_SPACE.search(first)
    return match is not None and match.start() < max_chars


class _Compiler:
    """Writes the builder of one plain (hook-free) source definition around its :class:`Normaliser`."""

    def __init__(self, definition: SourceDefinition, raw_check: RawCheck, normaliser: Normaliser) -> None:
        self.definition = definition
        self.limits = definition.mapping.limits
        self.normaliser = normaliser
        self.code = Code()
        self.always_bound = _needs_bounding(definition)
        self.schema = json.loads(definition.schema_file.read_text(encoding="utf-8"))
        self.emit(f"if not {self.const(raw_check)}(raw): return None")

    def const(self, value: Any) -> str:
        return self.code.const(value)

    def emit(self, *lines: str) -> None:
        self.code.emit(*lines)

    def compile(self) -> FusedBuilder | None:
        n = self.normaliser
        probe = n.event({}, {}, datetime(2000, 1, 1, tzinfo=UTC))  # static texts are every event's
        static_empty = any(n.texts[key].text is not None and not probe[key] for key in TEXT_CHARS)
        source_ok = 0 < len(self.definition.id) <= SOURCE_CHARS and all(type(tag) is str for tag in n.tags)
        if static_empty or not source_ok:
            return None  # every event fails the contract: the reference path words it
        self._details()
        self._event()
        builder: FusedBuilder = self.code.function(
            "raw, event_id, moment, text", f"fused {self.definition.id}"
        )
        return builder

    def _details(self) -> None:
        """Read ``details`` with the normaliser's reader, then settle what the reference would do to
        them: move an IP aside (left to it), bound them (done here only where a constant needs it,
        elsewhere proved unnecessary from the raw text's length and :func:`values_within`)."""
        max_chars = self.limits.max_string_chars
        if self.always_bound:
            self.normaliser.write_details(self.code)
        else:
            self.emit("extra = 0", f"if len(text) > {max_chars}: return None")
            self.normaliser.write_details(self.code, self._budget)
        self._check_ips()  # before bounding: the reference path moves an invalid IP aside first
        limits = self.limits
        if self.always_bound:
            bound = self.const(lambda details: bound_details(details, limits, share=True))
            self.emit(f"details = {bound}(details)")
            self._check_ips()  # a cut can leave an IP that MozDef rejects
        else:
            self.emit(f"if len(details) + extra > {limits.max_detail_fields}: return None")
        self.emit(f"details = {self.const(self.normaliser.stamped)}(details, raw, event_id, text)")

    def _budget(self, name: str, spec: ValueSpec, value: str) -> None:
        """One detail's share of the proof that bounding changes nothing: a string from the raw event
        is within the cap (its text is), a container counts its values, a template's text its length.
        ``value``: the expression holding what the detail read."""
        if spec.kind is ValueKind.TEMPLATE:
            self.emit(
                f"if {value} is not None and len({value}) > {self.limits.max_string_chars}: return None"
            )
        elif spec.kind is ValueKind.PATH and spec.table is None and not self._surely_scalar(spec):
            containers, count = self.const((dict, list)), self.const(values_within)
            self.emit(f"if type({value}) in {containers}: extra += {count}({value})")

    def _surely_scalar(self, spec: ValueSpec) -> bool:
        """Whether the raw schema (which every built event has passed) makes this path a scalar."""
        keys = plain_keys(spec.path or "")
        scalar_default = spec.default is None or kept_scalar(spec.default, self.limits.max_string_chars)
        return keys is not None and scalar_default and _schema_scalar(self.schema, keys)

    def _check_ips(self) -> None:
        """Leave events whose IP the reference path would move aside, or MozDef reject, to it."""
        check = self.const(ip_kept_and_accepted)
        for key in IP_KEYS:
            if key in self.definition.mapping.details:
                self.emit(f"if not {check}(details.get({key!r})): return None")

    def _event(self) -> None:
        """The event as the normaliser writes it, then the MozDef contract's checks that the
        definition does not settle once for all events, and the size limit."""
        n = self.normaliser
        n.write_event(self.code)
        for key in TEXT_CHARS:
            if n.texts[key].text is None:
                self.emit(f"if not event[{key!r}]: return None")
        if not _surely_not_blank(n.texts["summary"], self.limits.max_string_chars):
            self.emit(f"if {self.const(NON_SPACE)}.search(event['summary']) is None: return None")
        if not n.severities <= SEVERITY_NAMES:
            self.emit(f"if event['severity'] not in {self.const(SEVERITY_NAMES)}: return None")
        self.emit(
            f"if {self.const(ISO_WITH_OFFSET)}.search(event['timestamp']) is None: return None",
            f"body = {self.const(fast_bytes)}(event)",
            f"if body is None or not {self.const(surely_within_event_limit)}(body): return None",
            "return event, body",
        )


def compile_builder(
    definition: SourceDefinition, raw_check: RawCheck | None, normaliser: Normaliser
) -> FusedBuilder | None:
    """The fused builder of ``definition`` around its ``normaliser``, or None where every event takes
    the reference path.

    None for a definition with a hook (its Python may return anything) or without a fast raw-schema
    check (``raw_check``: the jsonschema-rs yes of :mod:`eventframework.process.fastpath`).
    """
    if definition.hook or raw_check is None:
        return None
    return _Compiler(definition, raw_check, normaliser).compile()
