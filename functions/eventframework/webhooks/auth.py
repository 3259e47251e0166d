"""Authenticating pushed requests: one verifier per kind, in a typed registry.

Every comparison goes through :func:`hmac.compare_digest` and is made against every accepted
secret (the current one and, during a rotation, the previous one) before deciding, so neither the
position of a mismatch nor which secret matched shows in the timing. Signed kinds verify the raw
body bytes exactly as received. Timestamped kinds (Slack v0, Zoom v0) sign ``v0:<ts>:<body>`` and
refuse a timestamp outside ``tolerance_seconds`` of now, so a captured request cannot be replayed
later.
"""

from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Sequence

from eventframework.definitions.webhook_auth_keys import WebhookAuthSpec, WebhookAuthType
from eventframework.webhooks.errors import AuthenticationError
from eventframework.webhooks.request import WebhookRequest


def hmac_sha256_hex(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def matches_any(given: str, expected: Sequence[str]) -> bool:
    """Constant-time comparison of ``given`` with each expected value; no early exit."""
    given_bytes = given.encode("utf-8", errors="surrogatepass")
    results = [hmac.compare_digest(given_bytes, value.encode("utf-8")) for value in expected]
    return any(results)


class Verifier(ABC):
    """Checks one request against the source's secrets; raises :class:`AuthenticationError`."""

    def __init__(self, spec: WebhookAuthSpec) -> None:
        self.spec = spec

    def _presented(self, request: WebhookRequest) -> str:
        value = request.header(self.spec.header)
        if not value:
            raise AuthenticationError(request.source, f"missing {self.spec.header} header")
        return value

    def verify(self, request: WebhookRequest, secrets: Sequence[bytes], now: float) -> None:
        presented = self._presented(request)
        expected = [self.spec.prefix + value for value in self.expected(request, secrets, now)]
        if not matches_any(presented, expected):
            raise AuthenticationError(request.source, f"{self.spec.header} does not match ({self.what})")

    what = "signature"

    @abstractmethod
    def expected(self, request: WebhookRequest, secrets: Sequence[bytes], now: float) -> list[str]:
        """The header values (without prefix) that would be authentic."""


class TokenVerifier(Verifier):
    """A shared token in a header (the original framework's authorizer; Okta event hooks)."""

    what = "token"

    def expected(self, request: WebhookRequest, secrets: Sequence[bytes], now: float) -> list[str]:
        return [secret.decode("utf-8") for secret in secrets]


class HmacSha256Verifier(Verifier):
    """HMAC-SHA256 of the raw body, hex, after a prefix (GitHub ``X-Hub-Signature-256: sha256=…``)."""

    def expected(self, request: WebhookRequest, secrets: Sequence[bytes], now: float) -> list[str]:
        return [hmac_sha256_hex(secret, request.body) for secret in secrets]


class TimestampedVerifier(Verifier):
    """``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>`` with a replay window (Slack, Zoom)."""

    def _timestamp(self, request: WebhookRequest, now: float) -> str:
        name = self.spec.timestamp_header or ""
        value = request.header(name)
        if not value:
            raise AuthenticationError(request.source, f"missing {name} header")
        try:
            stamp = int(value.strip())
        except ValueError:
            raise AuthenticationError(request.source, f"{name} is not epoch seconds") from None
        if abs(now - stamp) > self.spec.tolerance_seconds:
            raise AuthenticationError(
                request.source,
                f"{name} is {int(now - stamp)}s from now, outside the "
                f"{self.spec.tolerance_seconds}s window (replayed or clock skew)",
            )
        return value.strip()

    def expected(self, request: WebhookRequest, secrets: Sequence[bytes], now: float) -> list[str]:
        message = b"v0:" + self._timestamp(request, now).encode("ascii") + b":" + request.body
        return [hmac_sha256_hex(secret, message) for secret in secrets]


VERIFIERS: dict[WebhookAuthType, type[Verifier]] = {
    WebhookAuthType.TOKEN: TokenVerifier,
    WebhookAuthType.HMAC_SHA256: HmacSha256Verifier,
    WebhookAuthType.SLACK_V0: TimestampedVerifier,
    WebhookAuthType.ZOOM_V0: TimestampedVerifier,
}


def verifier_for(spec: WebhookAuthSpec) -> Verifier:
    return VERIFIERS[spec.type](spec)
