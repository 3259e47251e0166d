"""The handlers' Tracer: X-Ray in Lambda, a no-op provider elsewhere (the X-Ray SDK never loaded)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from eventframework.handlers._tracing import NoTracing

PROBE = """
import sys
from eventframework.handlers._runtime import tracer
print(type(tracer.provider).__module__, tracer.disabled, "aws_xray_sdk.core" in sys.modules)
"""


def _probe(environ: dict[str, str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.split()


def test_handler_tracer_outside_lambda_is_disabled_without_the_xray_sdk() -> None:
    environ = {key: value for key, value in os.environ.items() if key != "LAMBDA_TASK_ROOT"}
    assert _probe(environ) == ["eventframework.handlers._tracing", "True", "False"]


def test_handler_tracer_in_lambda_is_powertools_xray() -> None:
    environ = {**os.environ, "LAMBDA_TASK_ROOT": "/var/task", "AWS_LAMBDA_FUNCTION_NAME": "FetchPage"}
    module, _, imported = _probe(environ)
    assert module.startswith("aws_xray_sdk") and imported == "True"


def test_no_tracing_segments_accept_what_the_tracer_records() -> None:
    provider = NoTracing()
    with provider.in_subsegment(name="## handler") as segment:
        segment.put_annotation(key="ColdStart", value=True)
        segment.put_metadata(key="handler error", value=ValueError("x"), namespace="svc")
        segment.add_exception(ValueError("x"), [])
    provider.put_annotation("source", "okta")
    provider.patch(["requests"])


def test_no_tracing_async_segments_too() -> None:
    async def traced() -> str:
        async with NoTracing().in_subsegment_async(name="## coroutine") as segment:
            segment.put_annotation(key="k", value=1)
        return "done"

    assert asyncio.run(traced()) == "done"
