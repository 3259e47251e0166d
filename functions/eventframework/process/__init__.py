"""Event processing: raw-schema validation, dedup and normalisation of raw events to MozDef."""

from __future__ import annotations

from eventframework.process.encoding import MAX_EVENT_BYTES
from eventframework.process.page import PageProcessor, event_key_for, process_records
from eventframework.process.results import DeadLetterCandidate, ErrorKind, ProcessResult
from eventframework.process.validation import SchemaViolationError, check, mozdef_validator, validator_for

__all__ = [
    "MAX_EVENT_BYTES",
    "DeadLetterCandidate",
    "ErrorKind",
    "PageProcessor",
    "ProcessResult",
    "SchemaViolationError",
    "check",
    "event_key_for",
    "mozdef_validator",
    "process_records",
    "validator_for",
]
