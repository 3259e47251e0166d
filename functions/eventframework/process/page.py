"""Processing one page of raw records: dedup, raw-schema validation, normalisation, MozDef contract.

Nothing is dropped silently: every record ends up published, counted as a duplicate of an event
already delivered, or returned as a dead-letter candidate with its error kind and a message naming
the JSON path and rule that failed. Compiled state (validators, getters, templates) is cached per
definition, so this is the hot path the benchmarks measure.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Container, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from eventframework.definitions.identity import content_key, event_id_reader
from eventframework.definitions.model import SourceDefinition
from eventframework.definitions.paths import Getter, compile_path
from eventframework.definitions.times import parse_event_time, to_iso
from eventframework.process.encoding import MAX_EVENT_BYTES, fast_bytes, surely_within_event_limit
from eventframework.process.fastpath import mozdef_fast_ok, raw_check_for
from eventframework.process.fused import compile_builder
from eventframework.process.mapping import Normaliser
from eventframework.process.results import DeadLetterCandidate, ErrorKind, ProcessResult
from eventframework.process.validation import (
    SchemaViolationError,
    Validator,
    check,
    mozdef_validator,
    validator_for,
)

# The dead-letter key is a DynamoDB sort key (at most 1,024 bytes) and part of an S3 object key
# (`deadletters/<source>/<key>.json`, at most 1,024 bytes): a longer id is a hostile or broken one.
MAX_EVENT_KEY_BYTES = 512


def event_key_for(raw: Any, event_id: str | None) -> str:
    """The dead-letter key: the source's own id, else (none, or one too long to be a key) a content
    hash, stable across re-fetches."""
    if event_id and len(event_id.encode("utf-8", errors="surrogatepass")) <= MAX_EVENT_KEY_BYTES:
        return event_id
    return content_key(raw)


def serialised_size(event: dict[str, Any]) -> int:
    """Bytes of ``event`` as compact ASCII JSON (what the publisher sends).

    ``details.raw`` is already JSON text and dominates the size; measuring it as one string and the
    rest separately avoids re-encoding the whole raw event a second time on the hot path.
    """
    details = event.get("details")
    if type(details) is not dict or type(details.get("raw")) is not str:
        return len(json.dumps(event, separators=(",", ":")))
    raw_text: str = details["raw"]
    rest = {**event, "details": {k: v for k, v in details.items() if k != "raw"}}
    extra = len(',"raw":') if len(details) > 1 else len('"raw":')
    return len(json.dumps(rest, separators=(",", ":"))) + extra + len(json.dumps(raw_text))


def size_within_limit(event: dict[str, Any], plain: bool, text: bytes | None = None) -> tuple[bool, int]:
    """(fits, bytes): whether ``serialised_size(event)`` is at most MAX_EVENT_BYTES, and a size.

    ``plain``: the event holds only JSON types (no hook ran); then orjson's length proves the answer
    for any event under MAX_EVENT_BYTES / ASCII_EXPANSION (~43 KB; ``surely_within_event_limit``), and
    the reference decides the rest.
    ``text``: ``fast_bytes(event)`` when the caller already has it.
    """
    if text is None and plain:
        text = fast_bytes(event)
    if text is not None and surely_within_event_limit(text):
        return True, len(text)
    size = serialised_size(event)
    return size <= MAX_EVENT_BYTES, size


class PageProcessor:
    """Everything compiled for one source definition."""

    def __init__(self, definition: SourceDefinition) -> None:
        self.definition = definition
        self.raw_validator: Validator = validator_for(definition.schema_file)
        self.mozdef_validator: Validator = mozdef_validator()
        self.event_id: Getter = event_id_reader(definition)
        self.event_time: Getter = compile_path(definition.mapping.timestamp)
        self.normaliser = Normaliser(definition)
        self.raw_fast = raw_check_for(definition.schema_file)
        self.plain = self.normaliser.hook is None
        self.fused = compile_builder(definition, self.raw_fast, self.normaliser)

    def read_id(self, raw: Any) -> str | None:
        value = self.event_id(raw)
        if type(value) is str:
            return value or None
        if type(value) is int:
            return str(value)
        return None

    def process(self, records: Sequence[Any], seen_ids: Container[str]) -> ProcessResult:
        result = ProcessResult()
        page_ids: set[str] = set()
        newest: datetime | None = None
        for raw in records:
            event_id = self.read_id(raw) if type(raw) is dict else None
            if event_id is not None:
                if event_id in page_ids or event_id in seen_ids:
                    result.duplicates += 1
                    continue
                page_ids.add(event_id)
                moment = self._built(raw, event_id, result)
                if moment is None:
                    moment = self._one(raw, event_id, result)
            else:
                moment = self._one(raw, event_id, result)
            if moment is not None and (newest is None or moment > newest):
                newest = moment
        result.newest_event_time = to_iso(newest) if newest is not None else None
        return result

    def _built(self, raw: dict[str, Any], event_id: str, result: ProcessResult) -> datetime | None:
        """The fused builder's way (see :mod:`~eventframework.process.fused`): the event's time when it
        built the event, None when the reference path must take the event (nothing recorded then)."""
        if self.fused is None:
            return None
        text = fast_bytes(raw)
        if text is None:
            return None
        try:
            moment = parse_event_time(self.event_time(raw))
            built = self.fused(raw, event_id, moment, text)
        except Exception:  # anything odd is the reference path's to decide and to word
            return None
        if built is None:
            return None
        result.events.append(built[0])
        result.delivered.append((event_id, moment.timestamp()))
        result.bodies.append(built[1])
        return moment

    def _dead(
        self, result: ProcessResult, raw: Any, event_id: str | None, kind: ErrorKind, message: str
    ) -> None:
        result.dead.append(DeadLetterCandidate(raw, event_key_for(raw, event_id), kind.value, message))

    def _time(self, raw: Any) -> datetime | None:
        try:
            return parse_event_time(self.event_time(raw))
        except ValueError:
            return None

    def _one(self, raw: Any, event_id: str | None, result: ProcessResult) -> datetime | None:
        """Handle one non-duplicate record; return its event time when it has a usable one."""
        if type(raw) is not dict:
            kind = f"a JSON {type(raw).__name__}" if raw is not None else "null"
            self._dead(result, raw, None, ErrorKind.UNPARSEABLE_RECORD, f"$: record is {kind}, not an object")
            return None
        text = fast_bytes(raw)
        if self.raw_fast is None or not self.raw_fast(raw):
            try:
                check(self.raw_validator, raw)
            except SchemaViolationError as exc:
                self._dead(result, raw, event_id, ErrorKind.SCHEMA_INVALID, f"raw event {exc}")
                return self._time(raw)
        if event_id is None:
            message = (
                f"$.{self.definition.event_id_path}: no event id (a non-empty string or integer is required)"
            )
            self._dead(result, raw, None, ErrorKind.MAPPING_FAILED, message)
            return self._time(raw)
        return self._mapped(raw, event_id, result, text)

    def _mapped(
        self, raw: dict[str, Any], event_id: str, result: ProcessResult, text: bytes | None
    ) -> datetime | None:
        time_value = self.event_time(raw)
        try:
            moment = parse_event_time(time_value)
        except ValueError as exc:
            path = self.definition.mapping.timestamp
            self._dead(result, raw, event_id, ErrorKind.MAPPING_FAILED, f"$.{path}: {exc}")
            return None
        try:
            event = self.normaliser.normalise(raw, event_id, moment, text)
        except Exception as exc:  # a hook or an odd value must dead-letter one event, not fail the page
            self._dead(
                result,
                raw,
                event_id,
                ErrorKind.MAPPING_FAILED,
                f"mapping failed: {type(exc).__name__}: {exc}",
            )
            return moment
        ok, body = self._contract_ok(raw, event_id, event, result)
        if ok:
            result.events.append(event)
            result.delivered.append((event_id, moment.timestamp()))
            result.bodies.append(body)
        return moment

    def _contract_ok(
        self, raw: Any, event_id: str, event: Any, result: ProcessResult
    ) -> tuple[bool, bytes | None]:
        """(whether the event meets MozDef's contract and size limit, its body text if encoded)."""
        if not (self.plain and mozdef_fast_ok(event)):
            try:
                check(self.mozdef_validator, event)
            except SchemaViolationError as exc:
                self._dead(result, raw, event_id, ErrorKind.MOZDEF_INVALID, f"MozDef event {exc}")
                return False, None
        body = fast_bytes(event) if self.plain else None
        fits, size = size_within_limit(event, self.plain, body)
        if not fits:
            message = (
                f"MozDef event is {size} bytes, over the {MAX_EVENT_BYTES}-byte limit; lower keep_raw/limits"
            )
            self._dead(result, raw, event_id, ErrorKind.MOZDEF_INVALID, message)
            return False, None
        return True, body


_PROCESSORS: dict[int, tuple[SourceDefinition, PageProcessor]] = {}
_MAX_PROCESSORS = 64


def processor_for(definition: SourceDefinition) -> PageProcessor:
    """The compiled processor of ``definition``, cached by identity (``load_source`` caches too)."""
    cached = _PROCESSORS.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    if len(_PROCESSORS) >= _MAX_PROCESSORS:
        _PROCESSORS.pop(next(iter(_PROCESSORS)))
    processor = PageProcessor(definition)
    _PROCESSORS[id(definition)] = (definition, processor)
    return processor


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one page is processed, as it was before afterwards.

    A page allocates thousands of dicts and lists that all stay referenced until the page is
    published, so every collection the allocations trigger walks them and frees nothing (about 1.3
    µs per event, benchmarks/README.md); reference counting still frees everything at once. Bounded
    by the page: what a collection would have found waits for the next one.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def process_records(
    definition: SourceDefinition, records: Sequence[Any], seen_ids: Container[str]
) -> ProcessResult:
    """Process one page: see the module docstring. ``seen_ids``: ids already published (the ledger)."""
    with collector_paused():
        return processor_for(definition).process(records, seen_ids)
