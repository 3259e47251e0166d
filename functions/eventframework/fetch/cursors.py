"""The cursor string that travels between pages and is saved as the checkpoint.

For ``next_request`` sources whose token resumes the source on its own (a next link, an opaque body
cursor) the cursor IS that token, verbatim: what the operator sees in the checkpoint is what the
vendor documents. Everything else (timestamp checkpoints, offset/page-number positions, which only
mean something together with their window start) is a small JSON object:
``{"since": <ISO time>, "page": <token or null>, "newest": <ISO time or null>}``. ``since`` is the
un-lagged window start; the request starts at ``since - lag_seconds`` so the lag never accumulates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventframework.definitions.model import CursorType, SourceDefinition
from eventframework.definitions.times import parse_event_time, rfc3339_millis, to_iso
from eventframework.fetch.errors import MalformedPageError
from eventframework.fetch.pagination import Paginator


@dataclass(frozen=True)
class Position:
    token: str | None = None
    since: str | None = None
    newest: str | None = None


def is_plain(definition: SourceDefinition, paginator: Paginator) -> bool:
    return definition.cursor.type is CursorType.NEXT_REQUEST and paginator.self_describing


def decode(definition: SourceDefinition, paginator: Paginator, cursor: str | None) -> Position:
    """Read a cursor produced by :func:`encode` (or an operator-set ISO time for timestamp sources)."""
    if not cursor:
        return Position()
    if cursor.startswith("{"):
        try:
            data = json.loads(cursor)
            return Position(token=data.get("page"), since=data.get("since"), newest=data.get("newest"))
        except (ValueError, AttributeError):
            raise MalformedPageError(
                definition.id, "", "the saved cursor is not valid; reset the checkpoint"
            ) from None
    if is_plain(definition, paginator):
        return Position(token=cursor)
    return Position(since=cursor)


def encode(
    definition: SourceDefinition, paginator: Paginator, position: Position, has_more: bool
) -> str | None:
    """The next cursor: the plain token, or the JSON form (closing the window when ``has_more`` is false)."""
    if is_plain(definition, paginator):
        return position.token
    if definition.cursor.type is CursorType.TIMESTAMP and not has_more:
        return _json(Position(since=_later(position.since, position.newest)))
    return _json(position)


def starting_at(since: str) -> str:
    """The cursor of a window that has not fetched yet: its start alone. It reads back (`decode`) as
    that start for every kind of source, so BeginRun can fix where a run's first window begins."""
    return _json(Position(since=since))


def _json(position: Position) -> str:
    data = {"since": position.since, "page": position.token, "newest": position.newest}
    return json.dumps(data, separators=(",", ":"))


def _later(first: str | None, second: str | None) -> str | None:
    if first is None or second is None:
        return second or first
    return first if parse_event_time(first) >= parse_event_time(second) else second


def window_since(definition: SourceDefinition, position: Position, now: float) -> str:
    """The un-lagged window start: the saved one, or now minus the initial lookback on a first run."""
    if position.since:
        return position.since
    start = datetime.fromtimestamp(now, tz=UTC) - timedelta(
        seconds=definition.cursor.initial_lookback_seconds
    )
    return to_iso(start)


def request_start_time(definition: SourceDefinition, since: str) -> str:
    """``since - lag_seconds`` in the RFC 3339 form vendors accept (UTC, milliseconds, ``Z``)."""
    lag = definition.cursor.lag_seconds if definition.cursor.type is CursorType.TIMESTAMP else 0
    return rfc3339_millis(parse_event_time(since) - timedelta(seconds=lag))


def placeholders(
    definition: SourceDefinition, since: str, now: float, until: datetime | None = None
) -> dict[str, str | int]:
    """What ``first_request`` may use: the window start (lagged) and end (now minus ``delay_seconds``,
    or a backfill's ``until``) as RFC 3339 text and epoch seconds/milliseconds, and the page size."""
    start = parse_event_time(request_start_time(definition, since))
    end = until or datetime.fromtimestamp(now - definition.cursor.delay_seconds, tz=UTC)
    values: dict[str, str | int] = {"page_size": definition.page_size}
    for name, moment in (("start", start), ("end", end)):
        values[f"{name}_time"] = rfc3339_millis(moment)
        values[f"{name}_epoch"] = int(moment.timestamp())
        values[f"{name}_epoch_ms"] = int(moment.timestamp() * 1000)
    return values


def newest_of(times: list[datetime], previous: str | None) -> str | None:
    if not times:
        return previous
    return _later(previous, to_iso(max(times)))


_START_FORMAT = re.compile(r"\{start_time:([^{}]+)\}")
# How far a window start written in a format rewinds at most, by its finest field: a date alone
# (Zoom's from=yyyy-mm-dd) starts up to a day early, whole seconds up to a second early.
_TRUNCATION = (("%S", 1), ("%M", 60), ("%H", 3600), ("%d", 86400))


def _formats(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [fmt for item in value.values() for fmt in _formats(item)]
    if isinstance(value, list):
        return [fmt for item in value for fmt in _formats(item)]
    return _START_FORMAT.findall(value) if isinstance(value, str) else []


def overlap_seconds(definition: SourceDefinition) -> int:
    """How far behind the newest delivered event a later window can start: the lag, plus what the
    window start's format truncates (a date-only start re-reads up to a day). The ledger keeps ids
    this far back, so every event a window re-reads is recognised as delivered."""
    first = definition.cursor.first_request
    formats = _formats(dict(first.params)) + _formats(dict(first.body or {}))
    rewind = 0
    for fmt in formats:
        finest = next((seconds for directive, seconds in _TRUNCATION if directive in fmt), 31 * 86400)
        rewind = max(rewind, finest)
    return definition.cursor.lag_seconds + rewind


def coverage_start(definition: SourceDefinition, since: str) -> datetime:
    """The earliest event a window starting at ``since`` (un-lagged) asks the vendor for: the start
    less the lag, floored to the finest field of the start's format (a date-only start asks from
    midnight). A backfill ends here, so it and the live pull never deliver the same event."""
    start = parse_event_time(request_start_time(definition, since))
    first = definition.cursor.first_request
    formats = _formats(dict(first.params)) + _formats(dict(first.body or {}))
    if not formats:
        return start
    # Each format cuts at its finest field; the coarsest cut among them is the earliest asked for.
    cut = max(
        next((seconds for directive, seconds in _TRUNCATION if directive in fmt), 86400) for fmt in formats
    )
    epoch = start.timestamp()
    return datetime.fromtimestamp(epoch - epoch % cut, tz=UTC)
