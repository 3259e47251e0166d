"""EventBridge ingestion: events AWS services put on the default bus (GuardDuty findings, ...)
taken through the same process / publish / dead-letter path as pulled pages and webhooks."""

from __future__ import annotations

from eventframework.eventbridge.ingest import (
    EventBridgeIngestor,
    EventBridgeRoutingError,
    EventBridgeServices,
    IngestOutcome,
    delivery_id_of,
)

__all__ = [
    "EventBridgeIngestor",
    "EventBridgeRoutingError",
    "EventBridgeServices",
    "IngestOutcome",
    "delivery_id_of",
]
