"""The eventbridge section of a definition: a source that AWS pushes through an EventBridge rule.

AWS services (GuardDuty, Security Hub, ...) put their events on the account's default bus; a rule
matching the section's ``source`` and ``detail_type`` invokes the EventBridge Lambda with the whole
event, which is one record for the source's schema and mapping, or, with ``records``, holds them in a list
(Security Hub puts up to 100 findings in ``detail.findings``). EventBridge delivers at least
once, and some services re-emit an updated event under the same id, so a delivery is identified by
the values of ``delivery_id`` (by default the event's id and time: a redelivery is a duplicate, an
update is new).
"""

from __future__ import annotations

from typing import Any

from eventframework.definitions.model import EventBridgeSpec


def eventbridge_spec(doc: dict[str, Any] | None, event: dict[str, Any]) -> EventBridgeSpec | None:
    """The :class:`EventBridgeSpec` of a validated section (None when the source has none)."""
    if doc is None:
        return None
    return EventBridgeSpec(
        source=doc["source"],
        detail_type=doc["detail_type"],
        delivery_id=tuple(doc.get("delivery_id", (event["id"], event["time"]))),
        records_path=doc.get("records", "$"),
    )
