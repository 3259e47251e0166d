"""Building the frozen dataclasses from a validated definition document (defaults applied here;
the auth and pagination blocks are built from their kinds' declarations, see ``definitions.kinds``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventframework.definitions.auth_keys import AUTH
from eventframework.definitions.eventbridge import eventbridge_spec
from eventframework.definitions.model import (
    BackfillSpec,
    CursorSpec,
    CursorType,
    FirstRequest,
    KeepRaw,
    Limits,
    MappingSpec,
    MonitoringSpec,
    RateLimitSignal,
    RateLimitSpec,
    RequestSpec,
    SeveritySpec,
    SourceDefinition,
    Timeouts,
    ValueKind,
    ValueSpec,
    VendorSpec,
)
from eventframework.definitions.pagination_keys import PAGINATION
from eventframework.definitions.webhook import is_pulled, webhook_spec, with_inert_pull_sections


def _request(doc: dict[str, Any]) -> RequestSpec:
    timeouts = doc.get("timeout_seconds", {})
    return RequestSpec(
        path=doc["path"],
        method=doc.get("method", "GET"),
        params=dict(doc.get("params", {})),
        headers=dict(doc.get("headers", {})),
        body=doc.get("body"),
        timeout=Timeouts(connect=float(timeouts.get("connect", 5)), read=float(timeouts.get("read", 30))),
        base_url=doc.get("base_url"),
    )


def _cursor(doc: dict[str, Any]) -> CursorSpec:
    first = doc.get("first_request", {})
    return CursorSpec(
        type=CursorType(doc["type"]),
        lag_seconds=doc.get("lag_seconds", 0),
        initial_lookback_seconds=doc.get("initial_lookback_seconds", 3600),
        delay_seconds=doc.get("delay_seconds", 0),
        first_request=FirstRequest(
            params=dict(first.get("params", {})),
            body=first.get("body"),
            every_page=first.get("every_page", False),
        ),
    )


def _rate_limit(doc: dict[str, Any]) -> RateLimitSpec:
    return RateLimitSpec(
        retry_after_header=doc.get("retry_after_header", "Retry-After"),
        remaining_header=doc.get("remaining_header"),
        reset_header=doc.get("reset_header"),
        min_remaining=doc.get("min_remaining", 0),
        max_wait_seconds=doc.get("max_wait_seconds", 900),
        signals=tuple(
            RateLimitSignal(
                status=signal["status"],
                header=signal.get("header"),
                equals=signal.get("equals"),
                body_path=signal.get("body_path"),
                values=tuple(signal.get("values", ())),
            )
            for signal in doc.get("signals", ())
        ),
    )


def _vendor(doc: dict[str, Any] | None) -> VendorSpec | None:
    if doc is None:
        return None
    return VendorSpec(name=doc["name"], reference=doc["reference"], permissions=tuple(doc["permissions"]))


def _backfill(doc: dict[str, Any]) -> BackfillSpec:
    return BackfillSpec(
        retention_days=doc.get("retention_days"),
        retention_reference=doc.get("retention_reference"),
        params=dict(doc.get("params", {})),
    )


def _monitoring(doc: dict[str, Any]) -> MonitoringSpec:
    return MonitoringSpec(
        max_lag_seconds=doc.get("max_lag_seconds", 7200), missed_runs=doc.get("missed_runs", 2)
    )


def value_spec(doc: str | dict[str, Any]) -> ValueSpec:
    """A details entry: a bare string is a dotted path; otherwise path / template / value."""
    if isinstance(doc, str):
        return ValueSpec(kind=ValueKind.PATH, path=doc)
    if "template" in doc:
        return ValueSpec(kind=ValueKind.TEMPLATE, template=doc["template"])
    if "value" in doc:
        return ValueSpec(kind=ValueKind.CONSTANT, constant=doc["value"])
    table = doc.get("map")
    return ValueSpec(
        kind=ValueKind.PATH,
        path=doc["path"],
        table={str(k): v for k, v in table.items()} if table is not None else None,
        default=doc.get("default"),
    )


def _mapping(doc: dict[str, Any], source_id: str, time_path: str) -> MappingSpec:
    severity = doc["severity"]
    keep_raw = doc.get("keep_raw", {})
    limits = doc.get("limits", {})
    return MappingSpec(
        category=doc["category"],
        summary=doc["summary"],
        severity=SeveritySpec(
            constant=severity.get("value"),
            path=severity.get("path"),
            table={str(k): v for k, v in severity.get("map", {}).items()},
            default=severity.get("default", "INFO"),
            rules=tuple(
                (rule["path"], {str(k): v for k, v in rule["map"].items()})
                for rule in severity.get("rules", ())
            ),
        ),
        hostname=doc.get("hostname", source_id),
        processname=doc.get("processname", source_id),
        tags=tuple(doc.get("tags", [])),
        timestamp=doc.get("timestamp", time_path),
        details={name: value_spec(spec) for name, spec in doc.get("details", {}).items()},
        keep_raw=KeepRaw(enabled=keep_raw.get("enabled", False), max_bytes=keep_raw.get("max_bytes", 16384)),
        limits=Limits(
            max_detail_fields=limits.get("max_detail_fields", 200),
            max_string_chars=limits.get("max_string_chars", 8192),
        ),
    )


def definition(doc: dict[str, Any], file: Path, schema_file: Path) -> SourceDefinition:
    """The :class:`SourceDefinition` for a document that already passed validation."""
    pulled, doc = is_pulled(doc), with_inert_pull_sections(doc)
    return SourceDefinition(
        id=doc["id"],
        file=file,
        schedule=doc["schedule"],
        request=_request(doc["request"]),
        auth=AUTH.build(doc["auth"]),
        pagination=PAGINATION.build(doc["pagination"]),
        records_path=doc["records"]["path"],
        event_id_path=doc["event"]["id"],
        event_time_path=doc["event"]["time"],
        cursor=_cursor(doc["cursor"]),
        mapping=_mapping(doc["mapping"], doc["id"], doc["event"]["time"]),
        schema_file=schema_file,
        rate_limit=_rate_limit(doc.get("rate_limit", {})),
        enabled=doc.get("enabled", True),
        description=doc.get("description", ""),
        max_pages_per_execution=doc.get("max_pages_per_execution", 50),
        page_size=doc.get("page_size", 100),
        hook=doc.get("hook"),
        webhook=webhook_spec(doc.get("webhook")),
        eventbridge=eventbridge_spec(doc.get("eventbridge"), doc["event"]),
        pulled=pulled,
        monitoring=_monitoring(doc.get("monitoring", {})),
        vendor=_vendor(doc.get("vendor")),
        records_absent_when_empty=doc["records"].get("absent_when_empty", False),
        backfill=_backfill(doc.get("backfill", {})),
    )
