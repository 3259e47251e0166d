"""Schedule arithmetic for EventBridge Scheduler expressions: a source's interval and its next run.

`rate(N unit)` is exact. `cron(min hour day-of-month month day-of-week year)` is evaluated minute by
minute over the next eight days (enough for any schedule that runs at least weekly), which supports
`*`, `?`, lists, ranges, steps and names; AWS's `L`, `W` and `#` are refused with a clear error. The
health rules need only "how often should this run" and "when is it due next".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from eventframework.errors import EventFrameworkError

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\(([^)]+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_SEARCH = timedelta(days=8)
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_DAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
# (low, high, names) per cron field; AWS numbers days of the week 1 (SUN) to 7 (SAT).
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (1, 7, _DAYS),
    (1970, 2199, {}),
)


class ScheduleError(EventFrameworkError):
    """A schedule expression the health rules cannot evaluate; `expression` is the text."""

    def __init__(self, expression: str, problem: str) -> None:
        self.expression = expression
        self.problem = problem
        super().__init__(
            f"schedule {expression!r}: {problem}; "
            "use rate(N minutes|hours|days) or a cron() without L, W or #"
        )


@dataclass(frozen=True)
class Timing:
    """How often a source is due (seconds) and when its next run is due (epoch seconds)."""

    interval_seconds: int
    next_run: float


def _value(token: str, names: dict[str, int], expression: str) -> int:
    if token.upper() in names:
        return names[token.upper()]
    if not token.isdigit():
        raise ScheduleError(expression, f"cannot evaluate cron token {token!r}")
    return int(token)


def _field_values(text: str, index: int, expression: str) -> frozenset[int] | None:
    """The allowed values of one field, or None for 'any' (`*` or `?`)."""
    low, high, names = _FIELDS[index]
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = _value(step_text, {}, expression) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _value(first, names, expression), _value(last, names, expression)
        else:
            start = _value(base, names, expression)
            end = high if step_text else start
        if step < 1 or not low <= start <= end <= high:
            raise ScheduleError(expression, f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _cron_fields(expression: str, body: str) -> list[frozenset[int] | None]:
    parts = body.split()
    if len(parts) != len(_FIELDS):
        raise ScheduleError(expression, "a cron() needs six fields: minutes hours day month weekday year")
    return [_field_values(part, index, expression) for index, part in enumerate(parts)]


def _matches(fields: list[frozenset[int] | None], moment: datetime) -> bool:
    weekday = moment.isoweekday() % 7 + 1  # Monday=1 in Python; SUN=1 in AWS cron
    actual = (moment.minute, moment.hour, moment.day, moment.month, weekday, moment.year)
    return all(allowed is None or value in allowed for allowed, value in zip(fields, actual, strict=True))


def _cron_runs(expression: str, body: str, after: datetime) -> Iterator[datetime]:
    fields = _cron_fields(expression, body)
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    end = after + _SEARCH
    while moment <= end:
        if _matches(fields, moment):
            yield moment
        moment += timedelta(minutes=1)


def _cron_body(expression: str) -> str | None:
    match = _CRON.match(expression)
    return match.group(1) if match else None


def interval_seconds(expression: str, *, reference: datetime | None = None) -> int:
    """Seconds between two runs; for a cron, the longest gap among its next runs (the safe bound)."""
    rate = _RATE.match(expression)
    if rate:
        return int(rate.group(1)) * _UNIT_SECONDS[rate.group(2).rstrip("s")]
    body = _cron_body(expression)
    if body is None:
        raise ScheduleError(expression, "not a rate() or cron() expression")
    runs = list(_cron_runs(expression, body, reference or datetime(2026, 1, 5, tzinfo=UTC)))
    if len(runs) < 2:
        raise ScheduleError(expression, "runs less than twice in eight days; cannot derive an interval")
    return int(max((later - earlier).total_seconds() for earlier, later in itertools.pairwise(runs)))


def next_run(expression: str, *, last_start: float | None, now: float) -> float:
    """When the next run is due: a rate runs every interval after the last start (or now, if never run
    or overdue); a cron runs at its next matching minute after now."""
    body = _cron_body(expression)
    if body is not None:
        after = datetime.fromtimestamp(now, UTC)
        upcoming = next(_cron_runs(expression, body, after), None)
        if upcoming is None:
            raise ScheduleError(expression, "has no run in the next eight days")
        return upcoming.timestamp()
    interval = interval_seconds(expression)
    if last_start is None:
        return now
    due = last_start + interval
    return due if due >= now else now
