"""One generated function per source that turns a valid raw event into its MozDef event and SQS body.

The reference path (:class:`~eventframework.process.mapping.Normaliser`, then the MozDef contract
and size checks in :mod:`eventframework.process.page`) walks the mapping through one small
function per field and re-checks every event against the contract. Most of that can be settled once
per source: static templates are constants, a severity table whose values are all MozDef severities
needs no check, ``isoformat`` writes timestamps of a known shape, a raw event whose whole text is
shorter than the string cap holds no string the cap would cut. So this module writes the whole
normalisation of one source as straight-line Python (each nested object read once, templates joined
in place) and keeps only the per-event checks the definition cannot settle.

It is an accelerator with the reference as its fallback: whenever an event is unusual (the fast
raw-schema check is unsure, an IP address would be moved or rejected, the raw text is not plain ASCII
or is long enough to be cut, the event is near the size limit), the builder returns None and the
caller takes the reference path, which decides and words any dead letter. For every event it does
build, event and body equal the reference's (``tests/unit/process/test_fused_equivalence.py``).
Keys and texts enter the generated code only as ``repr`` literals or as namespace constants.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from eventframework.definitions.model import SEVERITIES, MappingSpec, SourceDefinition, ValueKind, ValueSpec
from eventframework.definitions.paths import compile_path, plain_keys
from eventframework.definitions.templates import Placeholder, parse_template
from eventframework.process.bounds import IP_CACHE_SIZE, IP_KEYS, bound_details, is_valid_ip
from eventframework.process.encoding import fast_bytes, surely_within_event_limit, usable_as_raw
from eventframework.process.fastpath import NON_SPACE, RawCheck, mozdef_ip_ok
from eventframework.process.mapping import MISSING_TEXT, table_key, template_text

Built = tuple[dict[str, Any], bytes]
# (raw event, its id, its aware event time, orjson's text of the raw event) -> (event, body) or None
FusedBuilder = Callable[[dict[str, Any], str, datetime, bytes], Built | None]

# isoformat(timespec="microseconds") of an aware time whose offset is whole minutes, as MozDef wants
_ISO_LENGTH = len("2024-01-01T00:00:00.000000+00:00")


# A dotted quad of 0-255 without leading zeros: the schema's own ipv4 format (fastjsonschema's
# pattern), which ``ipaddress`` accepts too, so a match settles both checks at regex speed.
_PLAIN_IPV4 = re.compile(
    r"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _ip_kept_and_accepted(value: str) -> bool:
    """An IP the reference path leaves in place (``move_invalid_ips``) and MozDef's schema accepts."""
    return _PLAIN_IPV4.fullmatch(value) is not None or _ip_checked(value)


@lru_cache(maxsize=IP_CACHE_SIZE)
def _ip_checked(value: str) -> bool:
    return is_valid_ip(value) and mozdef_ip_ok(value)


def values_within(value: Any) -> int:
    """An upper bound on the values inside an object or list, itself excluded, from its compact text.

    Each value but the first of a container follows a comma, and each container opens with a bracket
    or brace; the same characters inside strings only raise the count. The bounding walker spends at
    most 1 + this on the value (one per scalar) and finds it within the field budget when that much is
    left (its leaves are values too): so a ``details`` whose keys plus these counts fit the budget,
    and whose strings are all within the cap, is left as it is.
    """
    text = orjson.dumps(value)
    return text.count(b",") + text.count(b"[") + text.count(b"{")


def _needs_bounding(mapping: MappingSpec) -> bool:
    """Whether a constant, table value or default could itself need bounding (a container or a long
    string): then every event's details go through ``bound_details``."""
    max_chars = mapping.limits.max_string_chars
    outcomes: list[Any] = []
    for spec in mapping.details.values():
        outcomes += [spec.constant, spec.default, *(spec.table or {}).values()]
    return not all(_bounded_scalar(value, max_chars) for value in outcomes)


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


def _bounded_scalar(value: Any, max_chars: int) -> bool:
    """A value the bounding walker leaves as it is: a scalar, a string within the cap."""
    if type(value) is str:
        return len(value) <= max_chars
    return value is None or type(value) in (bool, int, float)


def _static_text(text: str) -> str | None:
    """The text of a template without placeholders, else None."""
    parts = parse_template(text)
    if any(isinstance(part, Placeholder) for part in parts):
        return None
    return "".join(str(part) for part in parts)


def _surely_not_blank(template: str, max_chars: int) -> bool:
    """Whether every rendering, cut at ``max_chars``, keeps a non-space character of the template's start."""
    parts = parse_template(template)
    if not parts or isinstance(parts[0], Placeholder):
        return False
    match = NON_SPACE.search(parts[0])
    return match is not None and match.start() < max_chars


def _joined(names: list[str]) -> str:
    """An expression joining the strings held by ``names``: one f-string, so one allocation."""
    if len(names) == 1:
        return names[0]
    return "f" + repr("".join(f"{{{name}}}" for name in names))


class _Writer:
    """The generated function's lines, the constants they name, and the shared reads of the raw event."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self.nodes: dict[tuple[str, ...], str] = {}

    def const(self, value: Any) -> str:
        name = f"c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def emit(self, *lines: str) -> None:
        self.lines.extend(f"    {line}" for line in lines)

    def node(self, keys: tuple[str, ...]) -> str:
        """A local holding ``raw`` read along ``keys``: each prefix read once, None past a non-object."""
        if keys not in self.nodes:
            parent = self.node(keys[:-1]) if len(keys) > 1 else None
            name = f"n{len(self.nodes)}"
            if parent is None:
                self.reads.append(f"    {name} = raw.get({keys[0]!r})")
            else:
                self.reads.append(
                    f"    {name} = {parent}.get({keys[-1]!r}) if type({parent}) is dict else None"
                )
            self.nodes[keys] = name
        return self.nodes[keys]

    def path(self, path: str) -> str:
        """An expression reading ``path`` from ``raw`` as ``compile_path`` does."""
        keys = plain_keys(path)
        return self.node(keys) if keys is not None else f"{self.const(compile_path(path))}(raw)"

    def template(self, text: str, target: str, track_found: bool) -> None:
        """Emit ``target = <text rendered>`` (and ``found_<target>``, whether a placeholder had a value)."""
        missing, to_text = self.const(MISSING_TEXT), self.const(template_text)
        found = f"found_{target} = True; " if track_found else ""
        if track_found:
            self.emit(f"found_{target} = False")
        pieces: list[str] = []
        for position, part in enumerate(parse_template(text)):
            if not isinstance(part, Placeholder):
                pieces.append(self.const(part))
                continue
            value, piece = f"{target}_v{position}", f"{target}_p{position}"
            self.emit(
                f"{value} = {self.path(part.path)}",
                f"if type({value}) is str and {value}: {found}{piece} = {value}",
                f"elif {value} is None or {value} == '': {piece} = {missing}",
                f"else: {found}{piece} = {to_text}({value})",
            )
            pieces.append(piece)
        self.emit(f"{target} = {_joined(pieces)}")


class _Compiler:
    """Writes the builder of one plain (hook-free) source definition."""

    def __init__(self, definition: SourceDefinition, raw_check: RawCheck) -> None:
        self.definition = definition
        self.mapping = definition.mapping
        self.limits = definition.mapping.limits
        self.raw_check = raw_check
        self.w = _Writer()
        self.always_bound = _needs_bounding(self.mapping)
        self.schema = json.loads(definition.schema_file.read_text(encoding="utf-8"))

    def compile(self) -> FusedBuilder | None:
        tags = list(self.mapping.tags)
        if not 0 < len(self.definition.id) <= 256 or not all(type(tag) is str for tag in tags):
            return None  # every event fails the contract: the reference path words it
        self.w.emit(f"if not {self.w.const(self.raw_check)}(raw): return None")
        self._details()
        self._top(tags)
        source = "\n".join(["def build(raw, event_id, moment, text):", *self.w.reads, *self.w.lines])
        exec(compile(source, f"<fused mapping of {self.definition.id}>", "exec"), self.w.namespace)
        builder: FusedBuilder = self.w.namespace["build"]
        return builder

    def _details(self) -> None:
        w = self.w
        w.emit("details = {}")
        if not self.always_bound:
            w.emit("extra = 0", f"if len(text) > {self.limits.max_string_chars}: return None")
        for name, spec in self.mapping.details.items():
            self._field(name, spec)
        self._check_ips()  # before bounding: the reference path moves an invalid IP aside first
        self._bounds()
        keep_raw = self.mapping.keep_raw
        if keep_raw.enabled:  # as raw_json: orjson's text when it is json.dumps's and cannot be cut
            usable = w.const(usable_as_raw)
            w.emit(
                f"if not {usable}(text, {keep_raw.max_bytes}): return None",
                "details['raw'] = text.decode('ascii')",
            )
        w.emit("details['source_event_id'] = event_id", f"details['efw_source'] = {self.definition.id!r}")

    def _field(self, name: str, spec: ValueSpec) -> None:
        """Emit the read of one detail, and (unless every event is bounded) its share of the budget:
        a string from the raw event is within the cap (its text is), a container counts its values,
        a template's text is checked for length."""
        w = self.w
        if spec.kind is ValueKind.CONSTANT:
            if spec.constant is not None:
                w.emit(f"details[{name!r}] = {w.const(spec.constant)}")
            return
        if spec.kind is ValueKind.TEMPLATE:
            target = f"t{len(w.lines)}"
            w.template(spec.template or "", target, track_found=True)
            w.emit(f"if found_{target}: details[{name!r}] = {target}")
            if not self.always_bound:
                w.emit(f"if found_{target} and len({target}) > {self.limits.max_string_chars}: return None")
            return
        read = w.path(spec.path or "")
        if not read.isidentifier() or spec.table is not None or spec.default is not None:
            w.emit(f"v = {read}")
            read = "v"
        if spec.table is not None:
            table, key, default = w.const(dict(spec.table)), w.const(table_key), w.const(spec.default)
            w.emit(f"v = {table}.get(v if type(v) is str else {key}(v), {default})")
        elif spec.default is not None:
            w.emit(f"if v is None: v = {w.const(spec.default)}")
        w.emit(f"if {read} is not None: details[{name!r}] = {read}")
        if not self.always_bound and spec.table is None and not self._surely_scalar(spec):
            containers, count = w.const((dict, list)), w.const(values_within)
            w.emit(f"if type({read}) in {containers}: extra += {count}({read})")

    def _surely_scalar(self, spec: ValueSpec) -> bool:
        """Whether the raw schema (which every built event has passed) makes this path a scalar."""
        keys = plain_keys(spec.path or "")
        scalar_default = spec.default is None or _bounded_scalar(spec.default, self.limits.max_string_chars)
        return keys is not None and scalar_default and _schema_scalar(self.schema, keys)

    def _check_ips(self) -> None:
        """Leave events whose IP the reference path would move aside, or MozDef reject, to it."""
        for key in IP_KEYS:
            if key in self.mapping.details:
                check = self.w.const(_ip_kept_and_accepted)
                self.w.emit(
                    f"ip = details.get({key!r})",
                    f"if ip is not None and not (type(ip) is str and {check}(ip)): return None",
                )

    def _bounds(self) -> None:
        """Bound every event's ``details`` where a constant or table value may need it; elsewhere
        leave to the reference path the rare event whose details may not fit (see
        :func:`values_within`)."""
        w, limits = self.w, self.limits
        if self.always_bound:
            bound = w.const(lambda details: bound_details(details, limits, share=True))
            w.emit(f"details = {bound}(details)")
            self._check_ips()  # a cut can leave an IP that MozDef rejects
            return
        w.emit(f"if len(details) + extra > {limits.max_detail_fields}: return None")

    def _top(self, tags: list[str]) -> None:
        w = self.w
        for key, longest in (("category", 256), ("hostname", 512), ("processname", 512)):
            self._top_text(key, getattr(self.mapping, key), longest)
        max_chars = self.limits.max_string_chars
        w.template(self.mapping.summary, "summary", track_found=False)
        w.emit(f"summary = summary[:{max_chars}]")
        if not _surely_not_blank(self.mapping.summary, max_chars):
            w.emit(f"if {w.const(NON_SPACE)}.search(summary) is None: return None")
        self._severity()
        utc = w.const(UTC)
        w.emit(
            "timespec = 'microseconds'",
            "stamp = moment.isoformat(timespec=timespec)",
            f"if len(stamp) != {_ISO_LENGTH}: return None",
            f"utc = stamp if moment.tzinfo is {utc} else (",
            f"    moment.astimezone({utc}).isoformat(timespec=timespec))",
            "event = {'category': category, 'details': details, 'hostname': hostname, 'processid': 0,",
            f"    'processname': processname, 'severity': severity, 'source': {self.definition.id!r},",
            f"    'summary': summary, 'tags': list({w.const(tags)}),",
            "    'timestamp': stamp, 'utctimestamp': utc}",
            f"body = {w.const(fast_bytes)}(event)",
            f"if body is None or not {w.const(surely_within_event_limit)}(body): return None",
            "return event, body",
        )

    def _top_text(self, key: str, template: str, longest: int) -> None:
        static = _static_text(template)
        if static is not None:
            self.w.emit(f"{key} = {static[:longest]!r}")
            if not static:
                self.w.emit("return None")
            return
        self.w.template(template, key, track_found=False)
        self.w.emit(f"{key} = {key}[:{longest}]", f"if not {key}: return None")

    def _severity(self) -> None:
        w, spec = self.w, self.mapping.severity
        default = spec.constant or spec.default
        if spec.rules:
            to_key = w.const(table_key)
            w.emit("severity = None")
            for path, rule_table in spec.rules:
                table = w.const({table_key(k): v for k, v in rule_table.items()})
                w.emit(f"if severity is None: severity = {table}.get({to_key}({w.path(path)}))")
            w.emit(f"if severity is None: severity = {default!r}")
            outcomes = [*(value for _, rule_table in spec.rules for value in rule_table.values()), default]
        elif spec.path:
            table, to_key = w.const({table_key(k): v for k, v in spec.table.items()}), w.const(table_key)
            w.emit(
                f"severity = {w.path(spec.path)}",
                f"severity = severity if type(severity) is str else {to_key}(severity)",
                f"severity = {table}.get(severity, {default!r})",
            )
            outcomes = [*spec.table.values(), default]
        else:
            w.emit(f"severity = {default!r}")
            outcomes = [default]
        if not all(value in SEVERITIES for value in outcomes):
            w.emit(f"if severity not in {w.const(frozenset(SEVERITIES))}: return None")


def compile_builder(definition: SourceDefinition, raw_check: RawCheck | None) -> FusedBuilder | None:
    """The fused builder of ``definition``, or None where every event takes the reference path.

    None for a definition with a hook (its Python may return anything) or without a fast raw-schema
    check (``raw_check``: the jsonschema-rs yes of :mod:`eventframework.process.fastpath`).
    """
    if definition.hook or raw_check is None:
        return None
    return _Compiler(definition, raw_check).compile()
