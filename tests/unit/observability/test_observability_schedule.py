"""Schedule arithmetic: intervals and next runs of rate() and cron() expressions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventframework.observability import ScheduleError, interval_seconds, next_run

NOW = datetime(2026, 3, 4, 10, 7, 30, tzinfo=UTC).timestamp()  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
        ("cron(0/10 * * * ? *)", 600),
        ("cron(15 3 * * ? *)", 86400),
        ("cron(0 9 ? * MON-FRI *)", 3 * 86400),  # Friday 09:00 to Monday 09:00 is the longest gap
        ("cron(0 0,12 * * ? *)", 43200),
    ],
)
def test_schedule_interval_seconds_of_rate_and_cron(expression: str, seconds: int) -> None:
    assert interval_seconds(expression) == seconds


def test_schedule_next_run_of_a_rate_follows_the_last_start() -> None:
    assert next_run("rate(5 minutes)", last_start=NOW - 60, now=NOW) == NOW + 240


def test_schedule_next_run_of_a_rate_is_now_when_overdue_or_never_run() -> None:
    assert next_run("rate(5 minutes)", last_start=NOW - 3600, now=NOW) == NOW
    assert next_run("rate(5 minutes)", last_start=None, now=NOW) == NOW


def test_schedule_next_run_of_a_cron_is_its_next_matching_minute() -> None:
    expected = datetime(2026, 3, 4, 10, 10, tzinfo=UTC).timestamp()
    assert next_run("cron(0/10 * * * ? *)", last_start=None, now=NOW) == expected
    saturday_expected = datetime(2026, 3, 9, 9, 0, tzinfo=UTC).timestamp()
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC).timestamp()
    assert next_run("cron(0 9 ? * MON-FRI *)", last_start=None, now=saturday) == saturday_expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("every 5 minutes", "not a rate() or cron()"),
        ("cron(0 9 L * ? *)", "cannot evaluate cron token 'L'"),
        ("cron(0 9 * *)", "six fields"),
        ("cron(75 * * * ? *)", "out of range 0-59"),
        ("cron(0 9 1 1 ? 2020)", "runs less than twice"),
    ],
)
def test_schedule_error_names_the_expression_and_the_fix(expression: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        interval_seconds(expression)
    assert caught.value.expression == expression
    assert fragment in str(caught.value) and "use rate(N minutes|hours|days)" in str(caught.value)
