"""Vendor endpoint verifications, answered before any event is processed.

- Zoom ``endpoint.url_validation`` (POST, signed): reply with the plain token and its HMAC-SHA256
  under the secret token, hex.
- Slack ``url_verification`` (POST, signed): echo the challenge.
- Okta event hooks' one-time verification (GET with ``X-Okta-Verification-Challenge``, carrying
  the configured authorization header): echo the value as ``verification``.

A handshake never reaches the queue: it carries no event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventframework.definitions.model import HandshakeType
from eventframework.webhooks.auth import hmac_sha256_hex
from eventframework.webhooks.errors import MalformedBodyError, MethodNotAllowedError
from eventframework.webhooks.request import WebhookRequest, WebhookResponse

OKTA_CHALLENGE_HEADER = "X-Okta-Verification-Challenge"

PostHandshake = Callable[[WebhookRequest, Any, bytes], WebhookResponse | None]


def _zoom(request: WebhookRequest, document: Any, secret: bytes) -> WebhookResponse | None:
    if not isinstance(document, dict) or document.get("event") != "endpoint.url_validation":
        return None
    plain = (
        (document.get("payload") or {}).get("plainToken")
        if isinstance(document.get("payload"), dict)
        else None
    )
    if not isinstance(plain, str) or not plain:
        raise MalformedBodyError(request.source, "$.payload.plainToken: a non-empty string is required")
    encrypted = hmac_sha256_hex(secret, plain.encode("utf-8"))
    return WebhookResponse(200, {"plainToken": plain, "encryptedToken": encrypted})


def _slack(request: WebhookRequest, document: Any, secret: bytes) -> WebhookResponse | None:
    if not isinstance(document, dict) or document.get("type") != "url_verification":
        return None
    challenge = document.get("challenge")
    if not isinstance(challenge, str):
        raise MalformedBodyError(request.source, "$.challenge: a string is required")
    return WebhookResponse(200, {"challenge": challenge})


POST_HANDSHAKES: dict[HandshakeType, PostHandshake] = {
    HandshakeType.ZOOM_URL_VALIDATION: _zoom,
    HandshakeType.SLACK_URL_VERIFICATION: _slack,
}


def answer_post(
    kind: HandshakeType, request: WebhookRequest, document: Any, secret: bytes
) -> WebhookResponse | None:
    """The handshake reply when an authenticated POST is the vendor's verification, else None."""
    handler = POST_HANDSHAKES.get(kind)
    return handler(request, document, secret) if handler is not None else None


def require_get_handshake(kind: HandshakeType, request: WebhookRequest) -> None:
    """Refuse a GET (405) unless the source verifies its endpoint with one."""
    if kind is not HandshakeType.OKTA_VERIFICATION:
        raise MethodNotAllowedError(request.source, "this source accepts POST only")


def answer_get(request: WebhookRequest) -> WebhookResponse:
    challenge = request.header(OKTA_CHALLENGE_HEADER)
    if not challenge:
        raise MalformedBodyError(request.source, f"missing {OKTA_CHALLENGE_HEADER} header")
    return WebhookResponse(200, {"verification": challenge})
