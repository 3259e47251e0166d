"""What every handler shares: the Powertools Logger, Metrics and Tracer, the per-container services,
binding an invocation's source and execution to all three, and emitting a step's measurements.

Tracer (X-Ray) is active in Lambda (the template sets `Tracing: Active`); outside it the Tracer has a
no-op provider (`_tracing`), so local runs and tests need no X-Ray daemon and never load the SDK."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities import parameters

from eventframework.fetch.credentials import forget_secrets
from eventframework.handlers._tracing import handler_tracer
from eventframework.observability import DIMENSION_SOURCE, SERVICE, Measurement, MetricName
from eventframework.pipeline import Services, Settings

T = TypeVar("T")

DEFAULT_NAMESPACE = "MozDefEventFramework"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "eventframework"))
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE), service=SERVICE
)
tracer = handler_tracer(os.environ.get("POWERTOOLS_SERVICE_NAME", "eventframework"))


class ClientSource(Protocol):
    """Makes the AWS clients of a container's services (a boto3 Session is one)."""

    def client(self, service_name: str) -> Any: ...


@dataclass
class _Container:
    clients: ClientSource | None = None  # None: boto3's default session, as in Lambda


_container = _Container()


def use_clients(source: ClientSource | None) -> None:
    """Where the handlers' AWS clients come from, from the next cold start on.

    The seam a local deployment uses (local/emulator/deployment.py) to give the handlers the
    emulator's clients and the MozDef queue as a file; None puts back boto3's default session.
    Lambda never calls it.
    """
    _container.clients = source
    cold_start()


@lru_cache(maxsize=1)
def services() -> Services:
    """Built once per container: boto3 clients are expensive to create and safe to reuse."""
    return Services.build(Settings.from_env(), session=_container.clients)


def cold_start() -> None:
    """Forget what a warm container keeps: the boto3 clients and the cached secrets.

    In Lambda a new container starts empty. The local engine runs every function in one process, so
    a local run calls this first to start from the same place (a new emulator endpoint, a new
    sandbox URL in the secret) instead of inheriting the previous run's clients and secrets.
    """
    services.cache_clear()
    forget_secrets()
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def bind(source: str, execution: str) -> None:
    """Correlate every log line and metric of this invocation with its run; never log secrets."""
    logger.append_keys(source=source, execution=execution)
    logger.set_correlation_id(f"{execution}:{source}")
    metrics.add_dimension(name=DIMENSION_SOURCE, value=source)
    tracer.put_annotation(key="source", value=source)
    tracer.put_annotation(key="execution", value=execution)


def count(name: str, value: int) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_dead_letters(source: str, value: int) -> None:
    """`EventsDeadLettered` of a push channel under the source's dimension, as a pull emits it, so
    the per-source dead-letter alarm covers pushed events too. A metric of its own: the source
    dimension must not land on the invocation's other counts, which alarms read by service alone."""
    if value <= 0:
        return
    dimensions = {"service": SERVICE, DIMENSION_SOURCE: source}
    with single_metric(
        name=MetricName.EVENTS_DEAD_LETTERED.value,
        unit=MetricUnit.Count,
        value=value,
        namespace=metrics.namespace,
        default_dimensions=dimensions,
    ):
        pass


def emit(measurements: Iterable[Measurement]) -> None:
    """Add a step's measurements to this invocation's EMF document (flushed by `log_metrics`)."""
    for measurement in measurements:
        metrics.add_metric(
            name=measurement.name.value, unit=MetricUnit(measurement.unit.value), value=measurement.value
        )


def timed(call: Callable[[], T], record: Callable[[float], None]) -> T:
    """Run `call` and record how long it took in milliseconds, also when it raised."""
    started = time.perf_counter()
    try:
        return call()
    finally:
        record((time.perf_counter() - started) * 1000)


# Everything loaded during a container's init (the framework, boto3, Powertools, botocore's models)
# lives as long as the container: the collector need never walk it again. Freezing it keeps the
# collections that a page's many new objects trigger down to those objects (measured: about a fifth
# of ProcessPage's CPU on a 1,000-event page, benchmarks/README.md).
gc.freeze()
