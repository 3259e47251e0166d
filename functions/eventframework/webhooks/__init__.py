"""Webhook ingestion: authenticate pushed requests, answer vendor handshakes, deduplicate deliveries,
and hand the events to the same process / publish / dead-letter path as pulled pages."""

from __future__ import annotations

from eventframework.webhooks.auth import VERIFIERS, Verifier, verifier_for
from eventframework.webhooks.deliveries import Claim, DeliveryStore, delivery_key
from eventframework.webhooks.errors import (
    AuthenticationError,
    DeliveryInProgressError,
    MalformedBodyError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    UnknownSourceError,
    WebhookError,
    WebhookUnavailableError,
)
from eventframework.webhooks.ingest import WebhookIngestor, WebhookServices
from eventframework.webhooks.request import WebhookRequest, WebhookResponse, request_from_proxy

__all__ = [
    "VERIFIERS",
    "AuthenticationError",
    "Claim",
    "DeliveryInProgressError",
    "DeliveryStore",
    "MalformedBodyError",
    "MethodNotAllowedError",
    "PayloadTooLargeError",
    "UnknownSourceError",
    "Verifier",
    "WebhookError",
    "WebhookIngestor",
    "WebhookRequest",
    "WebhookResponse",
    "WebhookServices",
    "WebhookUnavailableError",
    "delivery_key",
    "request_from_proxy",
    "verifier_for",
]
