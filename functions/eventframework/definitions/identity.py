"""How an event is identified: the vendor's own id at ``event.id``; a template of several fields
when the vendor's id is unique only together with another (Google's ``uniqueQualifier`` is unique
among events of the same time: ``"{id.time}/{id.uniqueQualifier}"``); or, for vendors whose events
carry none (Dropbox team events, Duo's administrator log), ``event.id: $sha256``, the SHA-256 of the
event's canonical JSON.

A content id is as stable as a vendor id across re-fetches (the same event has the same bytes once
decoded), so the ledger's overlap dedup, dead-letter keys and reprocessing work unchanged; two
entries identical in every field are one event to MozDef, as they would be to a reader. The same
canonical form keys dead letters of events that have no usable id at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from eventframework.definitions.model import SourceDefinition
from eventframework.definitions.paths import compile_path
from eventframework.definitions.templates import Placeholder, parse_template
from eventframework.jsontext import dumps_deep

CONTENT_ID = "$sha256"


def content_key(raw: Any) -> str:
    """``sha256:<hex>`` of ``raw`` as canonical JSON (sorted keys, compact; odd values as text)."""
    try:
        canonical = json.dumps(raw, sort_keys=True, default=str, separators=(",", ":"))
    except RecursionError:  # nested past what json.dumps recurses through (orjson decodes 1,024)
        canonical = dumps_deep(raw, sort_keys=True)
    except (TypeError, ValueError):
        canonical = repr(raw)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _content_id(raw: Any) -> str | None:
    return content_key(raw) if isinstance(raw, dict) else None


def id_paths(definition: SourceDefinition) -> tuple[str, ...]:
    """The paths the event id is made of (none for a content id)."""
    spec = definition.event_id_path
    if spec == CONTENT_ID:
        return ()
    if "{" in spec:
        return tuple(part.path for part in parse_template(spec) if isinstance(part, Placeholder))
    return (spec,)


def _composite_id(spec: str) -> Callable[[Any], str | None]:
    parts = [
        compile_path(part.path) if isinstance(part, Placeholder) else part for part in parse_template(spec)
    ]

    def read(raw: Any) -> str | None:
        text = []
        for part in parts:
            value = part if isinstance(part, str) else part(raw)
            if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
                return None  # every field of a composite id must be there
            text.append(str(value))
        return "".join(text)

    return read


def event_id_reader(definition: SourceDefinition) -> Callable[[Any], Any]:
    """The function that reads a raw event's id for ``definition`` (None when it has none)."""
    spec = definition.event_id_path
    if spec == CONTENT_ID:
        return _content_id
    if "{" in spec:
        return _composite_id(spec)
    return compile_path(spec)
