"""A webhook request and response, and their API Gateway (REST, proxy integration) shapes.

The request keeps the body as the exact bytes received: signatures are computed over them, so
nothing may re-encode the body before authentication.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventframework.webhooks.errors import MalformedBodyError


@dataclass(frozen=True)
class WebhookRequest:
    """``headers`` has lower-case names; ``received_at`` is epoch seconds of receipt."""

    source: str
    method: str
    body: bytes
    received_at: float
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @classmethod
    def build(
        cls, source: str, method: str, body: bytes, received_at: float, headers: Mapping[str, str]
    ) -> WebhookRequest:
        return cls(source, method.upper(), body, received_at, {k.lower(): v for k, v in headers.items()})


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: Mapping[str, Any]

    def to_proxy(self) -> dict[str, Any]:
        """The Lambda proxy integration response API Gateway expects."""
        return {
            "statusCode": self.status,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(self.body, ensure_ascii=False),
            "isBase64Encoded": False,
        }


def _body(event: Mapping[str, Any], source: str) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedBodyError(source, "body is not text")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedBodyError(source, "isBase64Encoded is set but the body is not base64") from None
    return body.encode("utf-8", errors="surrogatepass")


def _received_at(event: Mapping[str, Any], clock: Callable[[], float]) -> float:
    epoch_ms = (event.get("requestContext") or {}).get("requestTimeEpoch")
    if isinstance(epoch_ms, int | float) and not isinstance(epoch_ms, bool) and epoch_ms > 0:
        return float(epoch_ms) / 1000.0
    return clock()


def request_from_proxy(event: Mapping[str, Any], clock: Callable[[], float]) -> WebhookRequest:
    """A :class:`WebhookRequest` from an API Gateway REST proxy event for ``/webhooks/{source}``."""
    source = str((event.get("pathParameters") or {}).get("source") or "")
    headers = event.get("headers") or {}
    return WebhookRequest.build(
        source=source,
        method=str(event.get("httpMethod") or "POST"),
        body=_body(event, source),
        received_at=_received_at(event, clock),
        headers={str(k): str(v) for k, v in headers.items() if v is not None},
    )
