"""What a definition reads from a raw event: the paths its raw schema may require or type.

The raw schema is the contract the definition needs, not a copy of the vendor's type
(docs/adding-a-source.md): it requires only what the event id, the time and the cursor read, and
types only what the mapping reads. Both sets are derived here from the definition itself, so the
rule has one statement that the catalogue's tests and `efw new-source` share.
"""

from __future__ import annotations

from eventframework.definitions.identity import id_paths
from eventframework.definitions.model import PaginationType, SourceDefinition, ValueKind
from eventframework.definitions.templates import Placeholder, parse_template


def required_paths(definition: SourceDefinition) -> frozenset[str]:
    """The paths without which an event cannot be identified, timed or checkpointed."""
    paths = {definition.mapping.timestamp, *id_paths(definition)}
    pagination = definition.pagination
    if definition.pulled and pagination.type is PaginationType.LAST_RECORD and pagination.cursor_path:
        paths.add(pagination.cursor_path)
    return frozenset(paths)


def _template_paths(text: str) -> set[str]:
    return {part.path for part in parse_template(text) if isinstance(part, Placeholder)}


def mapped_paths(definition: SourceDefinition) -> frozenset[str]:
    """Every path the mapping reads (templates, severity, details), plus the required ones."""
    mapping = definition.mapping
    paths = set(required_paths(definition))
    for text in (mapping.summary, mapping.category, mapping.hostname, mapping.processname):
        paths |= _template_paths(text)
    if mapping.severity.path:
        paths.add(mapping.severity.path)
    paths |= {path for path, _ in mapping.severity.rules}
    for spec in mapping.details.values():
        if spec.kind is ValueKind.TEMPLATE and spec.template is not None:
            paths |= _template_paths(spec.template)
        elif spec.kind is ValueKind.PATH and spec.path is not None:
            paths.add(spec.path)
    return frozenset(paths)
