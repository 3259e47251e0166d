"""The ``webhook.auth`` block of a definition: its types, its spec, and each kind declared once with its keys.

Adding a kind: a ``WebhookAuthType`` member and its :class:`Kind` in ``WEBHOOK_AUTH`` here (header
names and prefixes as the vendor documents them, as the kind's defaults), its ``Verifier`` in
``webhooks/auth.py``'s ``VERIFIERS``, then `efw schema sync` (see ``definitions.kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from eventframework.definitions.kinds import Key, Kind, KindFamily


class WebhookAuthType(StrEnum):
    TOKEN = "token"
    HMAC_SHA256 = "hmac_sha256"
    SLACK_V0 = "slack_v0"
    ZOOM_V0 = "zoom_v0"


@dataclass(frozen=True)
class WebhookAuthSpec:
    """How a pushed request proves it comes from the vendor (see eventframework.webhooks.auth)."""

    type: WebhookAuthType
    header: str
    prefix: str = ""
    timestamp_header: str | None = None
    tolerance_seconds: int = 300
    secret: str = "webhook_secret"

    @property
    def previous_secret(self) -> str:
        """The secret key accepted alongside ``secret`` while a rotation is in progress."""
        return f"{self.secret}_previous"


_HEADER_NAME = {"type": "string", "pattern": "^[A-Za-z0-9-]+$"}

_HEADER = Key("header", _HEADER_NAME)
_PREFIX = Key("prefix", {"type": "string"})
_TIMESTAMP_HEADER = Key("timestamp_header", _HEADER_NAME)
_TOLERANCE = Key("tolerance_seconds", {"type": "integer", "minimum": 1, "maximum": 3600})
_SECRET = Key("secret", {"type": "string", "pattern": "^[a-z_]+$"})

_SIGNATURE_AT = "the header carrying the signature"
_DIGEST_AFTER = "text before the hex digest"
_TIMESTAMP_AT = "the header with the request's epoch seconds"
_WINDOW = "how far the timestamp may be from now"
_SHARED = (
    "the key of the source's secret holding the shared secret; <secret>_previous is also accepted "
    "during rotation"
)


def _timestamped(kind: WebhookAuthType, vendor: str, signature: str, timestamp: str) -> Kind[WebhookAuthType]:
    """Slack's and Zoom's scheme: HMAC over ``v0:<timestamp>:<body>``, refused outside a window."""
    return Kind(
        kind,
        f"HMAC-SHA256 over v0:<timestamp>:<body>, refused outside a replay window ({vendor})",
        (
            _HEADER.means(_SIGNATURE_AT, default=signature),
            _PREFIX.means(_DIGEST_AFTER, default="v0="),
            _TIMESTAMP_HEADER.means(_TIMESTAMP_AT, default=timestamp),
            _TOLERANCE.means(_WINDOW),
            _SECRET.means(_SHARED),
        ),
    )


WEBHOOK_AUTH: KindFamily[WebhookAuthType, WebhookAuthSpec] = KindFamily(
    block="webhook.auth",
    spec=WebhookAuthSpec,
    description=(
        "How a pushed request proves it comes from the vendor. Each type takes only its own keys "
        "(generated from eventframework/definitions/webhook_auth_keys.py by `efw schema sync`)."
    ),
    kinds=(
        Kind(
            WebhookAuthType.TOKEN,
            "a shared token in a header, compared in constant time",
            (
                _HEADER.means("the header carrying the token", default="Authorization"),
                _PREFIX.means("text before the token", default=""),
                _SECRET.means(_SHARED),
            ),
        ),
        Kind(
            WebhookAuthType.HMAC_SHA256,
            "HMAC-SHA256 over the raw body (GitHub's X-Hub-Signature-256)",
            (
                _HEADER.means(_SIGNATURE_AT, default="X-Hub-Signature-256"),
                _PREFIX.means(_DIGEST_AFTER, default="sha256="),
                _SECRET.means(_SHARED),
            ),
        ),
        _timestamped(WebhookAuthType.SLACK_V0, "Slack", "X-Slack-Signature", "X-Slack-Request-Timestamp"),
        _timestamped(WebhookAuthType.ZOOM_V0, "Zoom", "x-zm-signature", "x-zm-request-timestamp"),
    ),
)
