"""docs/sources.md: the catalogue as a table generated from the definitions under sources/.

One row per source with what a security team checks before connecting it: the vendor and its
reference page, the endpoint, how the framework authenticates and pages, how often it runs, the
permissions the vendor's page asks for, and the MozDef category the events get. `efw catalogue
sync` writes it; a test keeps it in step with the definitions.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventframework.definitions import SourceDefinition

HEADER = """\
# Source catalogue

Generated from `sources/*.yaml` by `efw catalogue sync` (a test fails when it is stale); each
definition's comment and `vendor:` block cite the vendor's reference. Adding a source:
[adding-a-source.md](adding-a-source.md).

| id | vendor | endpoint | auth | pagination | schedule | permissions | MozDef category |
|---|---|---|---|---|---|---|---|
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _endpoint(definition: SourceDefinition) -> str:
    if definition.eventbridge is not None:
        return f"EventBridge `{definition.eventbridge.source}` / {definition.eventbridge.detail_type}"
    if definition.webhook is not None:
        return f"webhook `POST /webhooks/{definition.id}`"
    return f"`{definition.request.method} {definition.request.path}`"


def _row(definition: SourceDefinition) -> str:
    vendor = definition.vendor
    name = f"[{vendor.name}]({vendor.reference})" if vendor else "-"
    permissions = "; ".join(vendor.permissions) if vendor else "-"
    pulled = definition.pulled
    cells = [
        f"`{definition.id}`",
        name,
        _endpoint(definition),
        definition.auth.type.value
        if pulled
        else (definition.webhook.auth.type.value if definition.webhook else "AWS"),
        definition.pagination.type.value if pulled else "push",
        definition.schedule if pulled else "on delivery",
        permissions,
        definition.mapping.category,
    ]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |\n"


def render(definitions: Sequence[SourceDefinition]) -> str:
    """The whole of docs/sources.md for ``definitions`` (sorted by id)."""
    vendors = {definition.vendor.name for definition in definitions if definition.vendor}
    rows = "".join(_row(definition) for definition in sorted(definitions, key=lambda d: d.id))
    return HEADER + rows + f"\n{len(definitions)} sources from {len(vendors)} vendors.\n"
