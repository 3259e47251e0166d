"""Normalisation of one raw event to MozDef, compiled from a definition's ``mapping`` block.

The mapping is written once per source as two generated Python functions (:class:`Code`): one reads
``details`` (paths, tables, defaults, constants, templates), one writes the event around them
(top-level templates cut where the contract ends, severity, tags, both timestamps). Each object of
the raw event on the way to a value is read once, templates are one f-string, and each rule lives in
one place here: :func:`placeholder_text` (what a placeholder writes, ``-`` for nothing found),
:func:`table_key` (how a value meets a table's YAML keys), :func:`severity_rules`, and the
``write_*`` functions that turn a definition into code. The reference path (:meth:`Normaliser.normalise`)
runs the two functions; the generated builder of :mod:`eventframework.process.fused` is written with
the same ``write_*`` functions, so a rule changed here changes both.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eventframework.definitions.errors import DefinitionError
from eventframework.definitions.locations import display_path
from eventframework.definitions.model import MappingSpec, SeveritySpec, SourceDefinition, ValueKind, ValueSpec
from eventframework.definitions.paths import compile_path, plain_keys
from eventframework.definitions.templates import Placeholder, parse_template
from eventframework.process.bounds import bound_details, move_invalid_ips
from eventframework.process.contract import CATEGORY_CHARS, HOSTNAME_CHARS, PROCESSNAME_CHARS
from eventframework.process.encoding import raw_json

# The texts a template writes at the top of a MozDef event, and where the contract cuts each.
TEXT_CHARS = {"category": CATEGORY_CHARS, "hostname": HOSTNAME_CHARS, "processname": PROCESSNAME_CHARS}

Hook = Callable[[dict[str, Any], Any], dict[str, Any]]
EventWriter = Callable[[Any, dict[str, Any], datetime], dict[str, Any]]
MISSING_TEXT = "-"


def placeholder_text(value: Any) -> str | None:
    """What a placeholder writes for the value it read: a string as it is, an object or list as compact
    JSON, any other scalar as ``str``; None where it found nothing (null, absent or ``""``), which the
    template writes as :data:`MISSING_TEXT` and which does not count as found."""
    if type(value) is str:
        return value or None
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, separators=(",", ":"))
    return str(value)


def table_key(value: Any) -> str:
    """The key a value is looked up by in a mapping table (tables are keyed by YAML text)."""
    if type(value) is bool:
        return "true" if value else "false"
    return "" if value is None else str(value)


class Code:
    """One generated function's lines, the constants they name, and reads of ``raw`` shared by them:
    each object on the way to a value is read once, a non-object on the way reading as None (as
    :func:`~eventframework.definitions.paths.compile_path` does, which reads every other path)."""

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
        if keys not in self.nodes:
            holder = self.node(keys[:-1]) if len(keys) > 1 else "raw"
            name = f"n{len(self.nodes)}"
            self.reads.append(f"    {name} = {holder}.get({keys[-1]!r}) if type({holder}) is dict else None")
            self.nodes[keys] = name
        return self.nodes[keys]

    def path(self, path: str) -> str:
        """An expression reading ``path`` from ``raw``."""
        keys = plain_keys(path)
        return self.node(keys) if keys is not None else f"{self.const(compile_path(path))}(raw)"

    def function(self, signature: str, label: str) -> Callable[..., Any]:
        source = "\n".join([f"def f({signature}):", *self.reads, *self.lines])
        exec(compile(source, f"<mapping: {label}>", "exec"), self.namespace)
        function: Callable[..., Any] = self.namespace["f"]
        return function


def write_template(code: Code, text: str, target: str, *, track_found: bool = True) -> None:
    """Emit ``target = <text rendered>`` and (``track_found``) ``found_<target>``, whether a placeholder
    found a value (a template without placeholders counts as found): the one place templates render."""
    parts = parse_template(text)
    to_text, missing = code.const(placeholder_text), code.const(MISSING_TEXT)
    if track_found:
        code.emit(f"found_{target} = {not any(isinstance(part, Placeholder) for part in parts)}")
    found = f"found_{target} = True" if track_found else "pass"
    pieces: list[str] = []
    for position, part in enumerate(parts):
        if not isinstance(part, Placeholder):
            pieces.append(code.const(part))
            continue
        piece = f"{target}_p{position}"
        code.emit(
            f"{piece} = {to_text}({code.path(part.path)})",
            f"if {piece} is None: {piece} = {missing}",
            f"else: {found}",
        )
        pieces.append(piece)
    joined = "f" + repr("".join(f"{{{name}}}" for name in pieces)) if len(pieces) != 1 else pieces[0]
    code.emit(f"{target} = {joined}")


class Template:
    """A parsed ``{dotted.path}`` template (rendered by the code :func:`write_template` writes)."""

    def __init__(self, text: str) -> None:
        self.parts = parse_template(text)
        static = not any(isinstance(p, Placeholder) for p in self.parts)
        self.text = "".join(str(p) for p in self.parts) if static else None


def severity_rules(spec: SeveritySpec) -> tuple[tuple[tuple[str, dict[str, str]], ...], str]:
    """(path, table keyed by :func:`table_key`) pairs tried in order, and the default: one ``path``
    and ``table`` is one such rule, a constant is a default with no rules."""
    rules = spec.rules or (((spec.path, spec.table),) if spec.path else ())
    keyed = tuple((path, {table_key(k): v for k, v in table.items()}) for path, table in rules if path)
    return keyed, spec.constant or spec.default


def write_severity(code: Code, spec: SeveritySpec) -> frozenset[str]:
    """Emit ``severity = ...``: the first rule whose table knows its field's value, else the default.
    Returns every severity it can write."""
    rules, default = severity_rules(spec)
    key = code.const(table_key)
    code.emit("severity = None")
    for path, table in rules:
        code.emit(f"if severity is None: severity = {code.const(table)}.get({key}({code.path(path)}))")
    code.emit(f"if severity is None: severity = {default!r}")
    return frozenset((*(v for _, table in rules for v in table.values()), default))


def write_detail(code: Code, name: str, spec: ValueSpec) -> str:
    """Emit ``details[name] = <value>`` unless the value is None: a constant, a template's text when a
    placeholder found a value, or a path read through its table (by :func:`table_key`) or default.
    Returns an expression for the value (None where the detail was left out)."""
    if spec.kind is ValueKind.CONSTANT:
        constant = code.const(spec.constant)
        if spec.constant is not None:
            code.emit(f"details[{name!r}] = {constant}")
        return constant
    if spec.kind is ValueKind.TEMPLATE:
        target = f"t{len(code.lines)}"
        write_template(code, spec.template or "", target)
        code.emit(f"if not found_{target}: {target} = None", f"else: details[{name!r}] = {target}")
        return target
    read = code.path(spec.path or "")
    if not read.isidentifier() or spec.table is not None or spec.default is not None:
        code.emit(f"v = {read}")
        read = "v"
    if spec.table is not None:
        table, key = code.const(dict(spec.table)), code.const(table_key)
        code.emit(f"v = {table}.get({key}(v), {code.const(spec.default)})")
    elif spec.default is not None:
        code.emit(f"if v is None: v = {code.const(spec.default)}")
    code.emit(f"if {read} is not None: details[{name!r}] = {read}")
    return read


def _load_hook(definition: SourceDefinition) -> Hook | None:
    if not definition.hook:
        return None
    module_name, _, function_name = definition.hook.partition(":")
    try:
        hook = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        raise DefinitionError.single(
            display_path(definition.file),
            "hook",
            definition.hook,
            f"cannot import ({exc})",
            "write module:function",
        ) from exc
    if not callable(hook):
        raise DefinitionError.single(
            display_path(definition.file),
            "hook",
            definition.hook,
            "is not callable",
            "point it at a function",
        )
    return hook  # type: ignore[no-any-return]


class Normaliser:
    """Maps raw events of one source to MozDef events (validated elsewhere).

    :meth:`normalise` is the reference: ``read_details``, then IPs moved aside and ``details``
    bounded (:mod:`~eventframework.process.bounds`), :meth:`stamped`, ``event`` and the hook. The
    two generated functions are written by :meth:`write_details` and :meth:`write_event`, which the
    generated builder (:mod:`eventframework.process.fused`) calls to write the same lines into its
    own function (one read of each object for both), with :meth:`stamped` between them; its own
    lines only prove that the reference's steps in between would change nothing.
    """

    def __init__(self, definition: SourceDefinition) -> None:
        mapping: MappingSpec = definition.mapping
        self.source = definition.id
        self.cuts = {**TEXT_CHARS, "summary": mapping.limits.max_string_chars}
        self.texts = {key: Template(getattr(mapping, key)) for key in self.cuts}
        self.tags = list(mapping.tags)
        self.keep_raw = mapping.keep_raw
        self.limits = mapping.limits
        self.hook = _load_hook(definition)
        self.mapping = mapping
        code = Code()
        self.write_details(code)
        code.emit("return details")
        self.read_details: Callable[[Any], dict[str, Any]] = code.function("raw", f"details of {self.source}")
        code = Code()
        self.severities = self.write_event(code)
        code.emit("return event")
        self.event: EventWriter = code.function("raw, details, moment", f"event of {self.source}")

    def stamped(
        self, details: dict[str, Any], raw: Any, event_id: str, raw_text: bytes | None
    ) -> dict[str, Any]:
        """``details`` with what the framework adds: the raw event (as ``keep_raw`` says), id, source."""
        if self.keep_raw.enabled:
            text, cut = raw_json(raw, raw_text, self.keep_raw.max_bytes)
            if cut:
                details.setdefault("efw_truncated", []).append("raw")
            details["raw"] = text
        details["source_event_id"] = event_id
        details["efw_source"] = self.source
        return details

    def write_details(self, code: Code, after: Callable[[str, ValueSpec, str], None] | None = None) -> None:
        """Emit ``details = {...}``, the mapped details of ``raw`` (see :func:`write_detail`);
        ``after(name, spec, value)`` is called after each detail's lines, ``value`` an expression
        holding what was read."""
        code.emit("details = {}")
        for name, spec in self.mapping.details.items():
            value = write_detail(code, name, spec)
            if after is not None:
                after(name, spec, value)

    def write_event(self, code: Code) -> frozenset[str]:
        """Emit ``event = {...}``, the MozDef event around ``details``: its texts cut where the contract
        ends, its severity, both timestamps from ``moment`` (the event's own aware time). Returns
        every severity it can write."""
        for key, longest in self.cuts.items():
            static = self.texts[key].text
            if static is not None:  # cut once here rather than for every event
                code.emit(f"{key} = {code.const(static[:longest])}")
                continue
            write_template(code, getattr(self.mapping, key), key, track_found=False)
            code.emit(f"{key} = {key}[:{longest}]")
        severities = write_severity(code, self.mapping.severity)
        utc = code.const(UTC)
        code.emit(
            "timespec = 'microseconds'",
            "stamp = moment.isoformat(timespec=timespec)",
            f"utc = stamp if moment.tzinfo is {utc} else (",
            f"    moment.astimezone({utc}).isoformat(timespec=timespec))",
            "event = {'category': category, 'details': details, 'hostname': hostname, 'processid': 0,",
            f"    'processname': processname, 'severity': severity, 'source': {self.source!r},",
            f"    'summary': summary, 'tags': list({code.const(self.tags)}),",
            "    'timestamp': stamp, 'utctimestamp': utc}",
        )
        return severities

    def normalise(
        self, raw: Any, event_id: str, moment: datetime, raw_text: bytes | None = None
    ) -> dict[str, Any]:
        """The MozDef event for ``raw``; ``moment`` is the event's own (aware) time.

        ``raw_text``: ``raw`` already encoded by :func:`~eventframework.process.encoding.fast_bytes`
        (the pipeline encodes each record once and shares the bytes), or None to encode here.
        """
        details = self.read_details(raw)
        move_invalid_ips(details)
        details = bound_details(details, self.limits, share=self.hook is None)
        event = self.event(raw, self.stamped(details, raw, event_id, raw_text), moment)
        if self.hook is not None:
            event = self.hook(event, raw)
        return event
