"""Normalisation of one raw event to MozDef, compiled from a definition's ``mapping`` block.

Everything that can be prepared is prepared once (path getters, parsed templates, severity table,
the optional hook), so mapping an event is dictionary reads and string joins. Each rule of the
mapping is written here once: the generated builder of :mod:`eventframework.process.fused` calls
these objects (the details reader, :class:`Template`, :class:`Severity`, :meth:`Normaliser.event`)
rather than restating them.
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
from eventframework.definitions.paths import Getter, compile_path, compile_reader
from eventframework.definitions.templates import Placeholder, parse_template
from eventframework.process.bounds import bound_details, move_invalid_ips
from eventframework.process.contract import CATEGORY_CHARS, HOSTNAME_CHARS, PROCESSNAME_CHARS
from eventframework.process.encoding import raw_json

Hook = Callable[[dict[str, Any], Any], dict[str, Any]]
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


class Template:
    """A parsed ``{dotted.path}`` template; missing values render as ``-``."""

    def __init__(self, text: str) -> None:
        self.parts: tuple[str | Getter, ...] = tuple(
            compile_path(p.path) if isinstance(p, Placeholder) else p for p in parse_template(text)
        )
        static = all(isinstance(p, str) for p in self.parts)
        self.text = "".join(p for p in self.parts if isinstance(p, str)) if static else None

    def render(self, raw: Any) -> tuple[str, bool]:
        """The text, and whether any placeholder found a value (a static template counts as found)."""
        if self.text is not None:
            return self.text, True
        found = False
        out = []
        for part in self.parts:
            if type(part) is str:
                out.append(part)
                continue
            text = placeholder_text(part(raw))  # type: ignore[operator]
            if text is None:
                out.append(MISSING_TEXT)
            else:
                found = True
                out.append(text)
        return "".join(out), found

    def value(self, raw: Any) -> str | None:
        """The template as a detail: its text where a placeholder found a value, else None (left out)."""
        text, found = self.render(raw)
        return text if found else None


class Severity:
    """A mapping's severity: tables over fields tried in order (one ``path`` and ``table`` is one such
    rule), the first that knows its field's value deciding, else the default (or the constant)."""

    def __init__(self, spec: SeveritySpec) -> None:
        rules = spec.rules or (((spec.path, spec.table),) if spec.path else ())
        self.rules = tuple(
            (compile_path(path), {table_key(k): v for k, v in table.items()}) for path, table in rules
        )
        self.default = spec.constant or spec.default
        self.outcomes = frozenset((*(v for _, table in self.rules for v in table.values()), self.default))

    def __call__(self, raw: Any) -> str:
        for getter, table in self.rules:
            found = table.get(table_key(getter(raw)))
            if found is not None:
                return found
        return self.default


def _value_reader(spec: ValueSpec) -> Callable[[Any], Any]:
    if spec.kind is ValueKind.CONSTANT:
        constant = spec.constant
        return lambda raw: constant
    if spec.kind is ValueKind.TEMPLATE:
        return Template(spec.template or "").value
    getter = compile_path(spec.path or "")
    if spec.table is None:
        default = spec.default
        return getter if default is None else (lambda raw: _or(getter(raw), default))
    table, fallback = dict(spec.table), spec.default
    return lambda raw: table.get(table_key(getter(raw)), fallback)


def _plain_path(spec: ValueSpec) -> str | None:
    """The path of a value read as is (no table, no default), which the reader can inline."""
    if spec.kind is ValueKind.PATH and spec.table is None and spec.default is None:
        return spec.path
    return None


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def table_key(value: Any) -> str:
    """The key a value is looked up by in a mapping table (tables are keyed by YAML text)."""
    if type(value) is bool:
        return "true" if value else "false"
    return "" if value is None else str(value)


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

    :meth:`normalise` is the reference; the generated builder (:mod:`eventframework.process.fused`)
    calls :attr:`read_details`, :meth:`stamped` and :meth:`event` itself, so every rule of the
    mapping is written here once and only the checks that let it skip the reference's are its own.
    """

    def __init__(self, definition: SourceDefinition) -> None:
        mapping: MappingSpec = definition.mapping
        self.source = definition.id
        self.summary = Template(mapping.summary)
        self.category = Template(mapping.category)
        self.hostname = Template(mapping.hostname)
        self.processname = Template(mapping.processname)
        self.tags = list(mapping.tags)
        self.severity = Severity(mapping.severity)
        readers = [(name, _plain_path(spec) or _value_reader(spec)) for name, spec in mapping.details.items()]
        self.read_details = compile_reader(readers)
        self.keep_raw = mapping.keep_raw
        self.limits = mapping.limits
        self.hook = _load_hook(definition)

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

    def event(self, raw: Any, details: dict[str, Any], moment: datetime) -> dict[str, Any]:
        """The MozDef event around ``details``: texts cut where the contract ends, the severity, and
        both timestamps from ``moment``, the event's own (aware) time."""
        stamp = moment.isoformat(timespec="microseconds")
        return {
            "category": self.category.render(raw)[0][:CATEGORY_CHARS],
            "details": details,
            "hostname": self.hostname.render(raw)[0][:HOSTNAME_CHARS],
            "processid": 0,
            "processname": self.processname.render(raw)[0][:PROCESSNAME_CHARS],
            "severity": self.severity(raw),
            "source": self.source,
            "summary": self.summary.render(raw)[0][: self.limits.max_string_chars],
            "tags": list(self.tags),
            "timestamp": stamp,
            "utctimestamp": stamp
            if moment.tzinfo is UTC
            else moment.astimezone(UTC).isoformat(timespec="microseconds"),
        }

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
