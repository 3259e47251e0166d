"""The webhook section of a definition, and push-only sources (a push section and no pull sections).

A source either pulls (all of schedule, request, auth, pagination, records and cursor), pushes (a
`webhook:` or `eventbridge:` section, none of those), or does both. A push-only document is
completed with inert pull sections before it is built, so the pull code's types stay non-optional;
`pulled` tells the two apart. Webhook authentication kinds, their keys and per-kind defaults
(header names, prefixes) are declared in ``webhook_auth_keys``.
"""

from __future__ import annotations

from typing import Any

from eventframework.definitions.errors import Problem
from eventframework.definitions.model import HandshakeType, WebhookSpec
from eventframework.definitions.webhook_auth_keys import WEBHOOK_AUTH

PULL_SECTIONS: tuple[str, ...] = ("schedule", "request", "auth", "pagination", "records", "cursor")
PUSH_SECTIONS: tuple[str, ...] = ("webhook", "eventbridge")

# Stand-ins for the pull sections of a push-only source: valid, never used (nothing schedules it).
_INERT_PULL: dict[str, Any] = {
    "schedule": "",
    "request": {"path": "/"},
    "auth": {"type": "none"},
    "pagination": {"type": "link_header"},
    "records": {"path": "$"},
    "cursor": {"type": "next_request"},
}


def is_pulled(doc: dict[str, Any]) -> bool:
    """A document pulls unless it has a push section and none of the pull sections."""
    pushed = any(key in doc for key in PUSH_SECTIONS)
    return not pushed or any(key in doc for key in PULL_SECTIONS)


def pull_section_problems(doc: dict[str, Any]) -> list[Problem]:
    """Missing pull sections, worded for what the author most likely meant."""
    missing = [key for key in PULL_SECTIONS if key not in doc]
    if not missing or not is_pulled(doc):
        return []
    if any(key in doc for key in PUSH_SECTIONS):
        fix = "add them for a source that also pulls, or remove every pull section for a push-only source"
    else:
        fix = (
            "add it, or add a webhook: section (or an eventbridge: section) and no pull sections "
            "for a source that only pushes"
        )
    return [Problem(key, None, f"required key '{key}' is missing", fix) for key in missing]


def with_inert_pull_sections(doc: dict[str, Any]) -> dict[str, Any]:
    return doc if is_pulled(doc) else {**_INERT_PULL, **doc}


def webhook_spec(doc: dict[str, Any] | None) -> WebhookSpec | None:
    """The :class:`WebhookSpec` of a validated webhook section (None when the source does not push)."""
    if doc is None:
        return None
    return WebhookSpec(
        auth=WEBHOOK_AUTH.build(doc["auth"]),
        delivery_id_header=doc.get("delivery_id_header"),
        event_type_header=doc.get("event_type_header"),
        records_path=doc.get("records", "$"),
        handshake=HandshakeType(doc.get("handshake", "none")),
        max_body_bytes=doc.get("max_body_bytes", 1024 * 1024),
    )
