"""Errors of webhook ingestion; each maps to the HTTP status the vendor receives.

A rejected request tells the vendor what was wrong (the JSON problem and where, which header is
missing, that the timestamp is outside the window) but never echoes a secret or a signature.
"""

from __future__ import annotations

from eventframework.errors import EventFrameworkError


class WebhookError(EventFrameworkError):
    """Base of every refusal: ``status`` is the HTTP status, ``source`` the source id in the path."""

    status = 400

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}")


class UnknownSourceError(WebhookError):
    """No definition with that id, or the source does not accept webhooks."""

    status = 404


class MethodNotAllowedError(WebhookError):
    """A GET to a source without a GET verification handshake."""

    status = 405


class PayloadTooLargeError(WebhookError):
    status = 413

    def __init__(self, source: str, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(source, f"body is {size} bytes, over this source's {limit}-byte limit")


class MalformedBodyError(WebhookError):
    """The body is not JSON (or not UTF-8, or not valid base64); the message names the spot."""

    status = 400


class AuthenticationError(WebhookError):
    """Missing or bad token/signature, or a timestamp outside the replay window."""

    status = 401


class DeliveryInProgressError(WebhookError):
    """The same delivery is being processed right now; the vendor should retry later."""

    status = 409

    def __init__(self, source: str, delivery_id: str) -> None:
        self.delivery_id = delivery_id
        super().__init__(source, f"delivery {delivery_id} is being processed; retry later")


class WebhookUnavailableError(WebhookError):
    """Not the sender's fault: the source's secret is missing or a store is down. Retryable (503)."""

    status = 503
