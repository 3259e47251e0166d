"""What every handler shares: the Powertools Logger and Metrics, the per-container services, and
binding an invocation's source and execution to both."""

from __future__ import annotations

import os
from functools import lru_cache

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters

from eventframework.pipeline import Services, Settings

DEFAULT_NAMESPACE = "MozDefEventFramework"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "eventframework"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE))


@lru_cache(maxsize=1)
def services() -> Services:
    """Built once per container: boto3 clients are expensive to create and safe to reuse."""
    return Services.build(Settings.from_env())


def cold_start() -> None:
    """Forget what a warm container keeps: the boto3 clients and the cached secrets.

    In Lambda a new container starts empty. The local engine runs every function in one process, so
    a local run calls this first to start from the same place (a new emulator endpoint, a new
    sandbox URL in the secret) instead of inheriting the previous run's clients and secrets.
    """
    services.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def bind(source: str, execution: str) -> None:
    """Correlate every log line and metric of this invocation with its run; never log secrets."""
    logger.append_keys(source=source, execution=execution)
    logger.set_correlation_id(f"{execution}:{source}")
    metrics.add_dimension(name="source", value=source)


def count(name: str, value: int) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
