"""Observability: the metric names every function emits, lag, schedule arithmetic and the health rules.

Plain Python shared by the Lambda handlers (which emit the metrics), the template generator (which
alarms on them) and `efw status` (which applies the same rules to the stored state), so a source is
judged unhealthy by one definition everywhere.
"""

from eventframework.observability.health import Health, SourceHealth, SourceState, assess
from eventframework.observability.metrics import (
    DIMENSION_SERVICE,
    DIMENSION_SOURCE,
    SERVICE,
    Measurement,
    MetricName,
    begin_measurements,
    fetch_measurements,
    lag_seconds,
    process_measurements,
)
from eventframework.observability.schedule import ScheduleError, Timing, interval_seconds, next_run

__all__ = [
    "DIMENSION_SERVICE",
    "DIMENSION_SOURCE",
    "SERVICE",
    "Health",
    "Measurement",
    "MetricName",
    "ScheduleError",
    "SourceHealth",
    "SourceState",
    "Timing",
    "assess",
    "begin_measurements",
    "fetch_measurements",
    "interval_seconds",
    "lag_seconds",
    "next_run",
    "process_measurements",
]
