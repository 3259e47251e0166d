"""What every handler shares: the Powertools Logger and Tracer, each invocation's metrics, the
per-container services, binding an invocation's source and execution, and emitting a step's
measurements.

Tracer (X-Ray) is active in Lambda (the template sets `Tracing: Active`); outside it the Tracer has a
no-op provider (`_tracing`), so local runs and tests need no X-Ray daemon and never load the SDK.

What belongs to one invocation (its log keys, its metrics) is kept per invocation, in context
variables, by :func:`invocation`, rather than on module-level Powertools objects. In Lambda a
container runs one invocation at a time and both ways are the same. A local run calls every
function's handler in one process, at the same time where the state machine runs them at the same
time (the pull's Parallel state, concurrent reprocess executions); shared, one invocation's flush
emitted another's metrics under its own dimensions and lost some (two threads of 200 invocations
of 50 counts: 18,750-19,400 of 20,000 counted), and `print`'s two writes let lines of two
invocations run into each other."""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.lambda_context import build_lambda_context_model
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities import parameters

from eventframework.fetch.credentials import forget_secrets
from eventframework.handlers._tracing import handler_tracer
from eventframework.observability import DIMENSION_SOURCE, SERVICE, Measurement, MetricName
from eventframework.pipeline import Services, Settings

T = TypeVar("T")
Handler = Callable[[Any, Any], Any]

DEFAULT_NAMESPACE = "MozDefEventFramework"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "eventframework"))
tracer = handler_tracer(os.environ.get("POWERTOOLS_SERVICE_NAME", "eventframework"))

_invocation_metrics: ContextVar[EphemeralMetrics] = ContextVar("eventframework_invocation_metrics")


@dataclass
class _ColdStart:
    pending: bool = True  # the next invocation is the container's first


_cold_start = _ColdStart()


def invocation(handler: Handler) -> Handler:
    """Run one Lambda invocation with its own log keys and metrics (see the module docstring).

    What Powertools' `inject_lambda_context(clear_state=True)` and `log_metrics` do: the Lambda
    context and cold start as log keys, an EMF document of the invocation's metrics at its end (also
    when it raised), nothing left from the invocation before."""

    @functools.wraps(handler)
    def invoke(event: Any, context: Any) -> Any:
        metrics = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
        token = _invocation_metrics.set(metrics)
        first, _cold_start.pending = _cold_start.pending and not _provisioned(), False
        logger.thread_safe_clear_keys()
        logger.thread_safe_append_keys(cold_start=first, **vars(build_lambda_context_model(context)))
        try:
            return handler(event, context)
        finally:
            try:
                _write_metrics(metrics)
            finally:
                _invocation_metrics.reset(token)

    return invoke


def _provisioned() -> bool:
    """Provisioned concurrency initialises a container before any invocation: none is a cold start
    (what Powertools' own cold-start key says)."""
    return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "provisioned-concurrency"


def _metrics() -> EphemeralMetrics:
    """This invocation's metrics (a handler not wrapped in :func:`invocation` is a bug)."""
    return _invocation_metrics.get()


def _write_metrics(metrics: EphemeralMetrics) -> None:
    """One EMF document in one write, so no line of another invocation lands inside it."""
    if metrics.metric_set and not is_metrics_disabled():
        sys.stdout.write(json.dumps(metrics.serialize_metric_set(), separators=(",", ":")) + "\n")
        sys.stdout.flush()
    metrics.clear_metrics()


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
    _cold_start.pending = True


def bind(source: str, execution: str) -> None:
    """Correlate every log line and metric of this invocation with its run; never log secrets."""
    logger.thread_safe_append_keys(source=source, execution=execution, correlation_id=f"{execution}:{source}")
    _metrics().add_dimension(name=DIMENSION_SOURCE, value=source)
    tracer.put_annotation(key="source", value=source)
    tracer.put_annotation(key="execution", value=execution)


def count(name: str, value: int) -> None:
    _metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def log_keys(**keys: object) -> None:
    """Add keys to this invocation's log lines (and only to its lines)."""
    logger.thread_safe_append_keys(**keys)


def count_dead_letters(source: str, value: int) -> None:
    """`EventsDeadLettered` of a push channel under the source's dimension, as a pull emits it, so
    the per-source dead-letter alarm covers pushed events too. A metric of its own: the source
    dimension must not land on the invocation's other counts, which alarms read by service alone."""
    if value <= 0:
        return
    separate = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
    separate.add_dimension(name=DIMENSION_SOURCE, value=source)
    separate.add_metric(name=MetricName.EVENTS_DEAD_LETTERED.value, unit=MetricUnit.Count, value=value)
    _write_metrics(separate)


def emit(measurements: Iterable[Measurement]) -> None:
    """Add a step's measurements to this invocation's EMF document (written when it ends)."""
    metrics = _metrics()
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
