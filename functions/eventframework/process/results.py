"""What processing a page produces: MozDef events to publish, ledger entries, dead-letter candidates."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """Why an event was dead-lettered (the dead-letter table's ``error_kind``)."""

    SCHEMA_INVALID = "schema_invalid"
    MAPPING_FAILED = "mapping_failed"
    MOZDEF_INVALID = "mozdef_invalid"
    PUBLISH_FAILED = "publish_failed"
    UNPARSEABLE_RECORD = "unparseable_record"


@dataclass(frozen=True)
class DeadLetterCandidate:
    """An event that will not be published, with the reason. ``raw`` is the record exactly as received."""

    raw: Any
    event_key: str
    error_kind: str
    message: str


@dataclass
class ProcessResult:
    """The outcome of one page.

    ``events[i]`` and ``delivered[i]`` describe the same event (same order), so a caller whose
    publish partly fails can leave the failed ids out of the ledger and dead-letter those events.
    ``bodies[i]``, when not None, is ``events[i]`` already encoded as its SQS body (UTF-8 JSON bytes,
    what ``body_json`` returns), produced while checking its size; the publisher sends it as is
    instead of encoding the event a second time.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[tuple[str, float]] = field(default_factory=list)
    bodies: list[bytes | None] = field(default_factory=list)
    dead: list[DeadLetterCandidate] = field(default_factory=list)
    duplicates: int = 0
    newest_event_time: str | None = None
