"""Event times: parsing what sources send (ISO 8601 strings, epoch numbers, and the RFC 2822 dates
some APIs still write, e.g. Quay's ``Tue, 13 Aug 2024 09:10:00 -0000``) into aware datetimes.

MozDef needs ISO 8601 with an offset taken from the event itself. A time without an offset is read
as UTC (every vendor we pull documents UTC); anything unparsable raises :class:`ValueError`, which
the processor turns into a ``mapping_failed`` dead letter rather than guessing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_MS_THRESHOLD = 100_000_000_000  # epoch values above this are milliseconds (year 5138 in seconds)


def _from_epoch(value: float) -> datetime:
    seconds = value / 1000.0 if abs(value) >= _MS_THRESHOLD else value
    return datetime.fromtimestamp(seconds, tz=UTC)


def parse_event_time(value: Any) -> datetime:
    """An aware datetime for ``value`` (ISO 8601 string, epoch seconds/milliseconds as number or digits)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"no usable time in {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str) or not value:
        raise ValueError(f"no usable time in {value!r}")
    text = value.strip()
    if text.replace(".", "", 1).isdigit():
        return _from_epoch(float(text))
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _rfc2822(text)
    if parsed is None:
        raise ValueError(f"{value[:64]!r} is neither an ISO 8601 nor an RFC 2822 time")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _rfc2822(text: str) -> datetime | None:
    if "," not in text[:5] and not text[:1].isdigit():
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def to_iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset and microseconds, e.g. ``2024-06-14T16:22:14.183000+00:00``."""
    return moment.isoformat(timespec="microseconds")


def rfc3339_millis(moment: datetime) -> str:
    """``moment`` as vendors' query parameters and our keys write it: UTC, milliseconds, ``Z``
    (``2024-06-14T16:22:14.183Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def iso_from_epoch(epoch: float) -> str:
    return to_iso(datetime.fromtimestamp(epoch, tz=UTC))
