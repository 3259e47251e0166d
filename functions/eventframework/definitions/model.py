"""Typed, frozen views of a source definition; built once by the loader, shared by fetch and process.

The auth, pagination and webhook auth blocks (their type enums and specs) live with their kinds'
declarations, in ``auth_keys``, ``pagination_keys`` and ``webhook_auth_keys``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from eventframework.definitions.auth_keys import AuthSpec
from eventframework.definitions.pagination_keys import PaginationSpec
from eventframework.definitions.webhook_auth_keys import WebhookAuthSpec


class CursorType(StrEnum):
    NEXT_REQUEST = "next_request"
    TIMESTAMP = "timestamp"


class HandshakeType(StrEnum):
    NONE = "none"
    ZOOM_URL_VALIDATION = "zoom_url_validation"
    SLACK_URL_VERIFICATION = "slack_url_verification"
    OKTA_VERIFICATION = "okta_verification"


class ValueKind(StrEnum):
    PATH = "path"
    TEMPLATE = "template"
    CONSTANT = "value"


SEVERITIES: tuple[str, ...] = (
    "DEBUG",
    "INFO",
    "NOTICE",
    "WARNING",
    "ERROR",
    "CRITICAL",
    "ALERT",
    "EMERGENCY",
)


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0


@dataclass(frozen=True)
class RequestSpec:
    path: str
    method: str = "GET"
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    timeout: Timeouts = field(default_factory=Timeouts)
    base_url: str | None = None


@dataclass(frozen=True)
class FirstRequest:
    """Parameters that open a window; ``{start_time}``, ``{end_time}``, ``{page_size}`` and their
    epoch forms are substituted. ``every_page``: the vendor wants them again on every page (Duo)."""

    params: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    every_page: bool = False


@dataclass(frozen=True)
class CursorSpec:
    type: CursorType
    lag_seconds: int = 0
    initial_lookback_seconds: int = 3600
    delay_seconds: int = 0
    first_request: FirstRequest = field(default_factory=FirstRequest)


@dataclass(frozen=True)
class RateLimitSignal:
    """A response other than 429 that the vendor documents as "slow down" (GitHub's 403 with
    ``x-ratelimit-remaining: 0``, Google's 403 ``rateLimitExceeded``). It matches when the status is
    ``status`` and either the ``header`` is present (and equals ``equals`` when given) or the body's
    ``body_path`` holds one of ``values``."""

    status: int
    header: str | None = None
    equals: str | None = None
    body_path: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateLimitSpec:
    """How the vendor says "wait": 429 always; ``signals`` for the other responses it documents."""

    retry_after_header: str = "Retry-After"
    remaining_header: str | None = None
    reset_header: str | None = None
    min_remaining: int = 0
    max_wait_seconds: int = 900
    signals: tuple[RateLimitSignal, ...] = ()


@dataclass(frozen=True)
class ValueSpec:
    """Where a mapped value comes from: a dotted path (optionally through a table), a template, a constant."""

    kind: ValueKind
    path: str | None = None
    template: str | None = None
    constant: Any = None
    table: Mapping[str, Any] | None = None
    default: Any = None


@dataclass(frozen=True)
class SeveritySpec:
    """A constant; one table over one field (``path``/``table``); or ``rules``, tables over several
    fields tried in order, the first that knows its field's value deciding."""

    constant: str | None = None
    path: str | None = None
    table: Mapping[str, str] = field(default_factory=dict)
    default: str = "INFO"
    rules: tuple[tuple[str, Mapping[str, str]], ...] = ()


@dataclass(frozen=True)
class KeepRaw:
    enabled: bool = False
    max_bytes: int = 16384


@dataclass(frozen=True)
class Limits:
    max_detail_fields: int = 200
    max_string_chars: int = 8192


@dataclass(frozen=True)
class MappingSpec:
    category: str
    summary: str
    severity: SeveritySpec
    hostname: str
    processname: str
    tags: tuple[str, ...]
    timestamp: str
    details: Mapping[str, ValueSpec]
    keep_raw: KeepRaw = field(default_factory=KeepRaw)
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class MonitoringSpec:
    """Health thresholds of a source (alarms and `efw status`)."""

    max_lag_seconds: int = 7200
    missed_runs: int = 2


@dataclass(frozen=True)
class WebhookSpec:
    """The push side of a source: authentication, delivery id, where the events are, handshake."""

    auth: WebhookAuthSpec
    delivery_id_header: str | None = None
    event_type_header: str | None = None
    records_path: str = "$"
    handshake: HandshakeType = HandshakeType.NONE
    max_body_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class EventBridgeSpec:
    """The push side of a source fed by an EventBridge rule: the event pattern it answers, and the
    paths whose joined values make one delivery (see eventframework.eventbridge)."""

    source: str
    detail_type: str
    delivery_id: tuple[str, ...]
    records_path: str = "$"


@dataclass(frozen=True)
class BackfillSpec:
    """How a past range is filled (see eventframework.pipeline.backfill): how far back the vendor
    serves events (``retention_days``, None when its documentation states no limit) and the request
    parameters that end a window at the range's end (``params``, e.g. Okta's ``until``)."""

    retention_days: int | None = None
    retention_reference: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VendorSpec:
    """The vendor, the API reference the definition follows, and the permissions its credentials need."""

    name: str
    reference: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class SourceDefinition:
    """Everything about one source, validated. ``file`` is where it came from (for messages).

    A push-only source (``webhook`` or ``eventbridge`` set, no pull sections in its file) has
    ``pulled`` False: its
    pull fields hold inert defaults so the pull code keeps non-optional types, and nothing
    schedules it (`efw template sync` skips it).
    """

    id: str
    file: Path
    schedule: str
    request: RequestSpec
    auth: AuthSpec
    pagination: PaginationSpec
    records_path: str
    event_id_path: str
    event_time_path: str
    cursor: CursorSpec
    mapping: MappingSpec
    schema_file: Path
    rate_limit: RateLimitSpec = field(default_factory=RateLimitSpec)
    enabled: bool = True
    description: str = ""
    max_pages_per_execution: int = 50
    page_size: int = 100
    hook: str | None = None
    webhook: WebhookSpec | None = None
    eventbridge: EventBridgeSpec | None = None
    pulled: bool = True
    monitoring: MonitoringSpec = field(default_factory=MonitoringSpec)
    vendor: VendorSpec | None = None
    records_absent_when_empty: bool = False
    backfill: BackfillSpec = field(default_factory=BackfillSpec)
