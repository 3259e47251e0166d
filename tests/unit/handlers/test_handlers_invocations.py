"""Each handler invocation keeps its own log keys and metrics, also when several run at once.

In Lambda one container runs one invocation at a time; a local run calls every function in one
process, concurrently where the state machine runs steps concurrently (the pull's Parallel state).
Before `invocation`, two threads of invocations lost ~5% of their counts to each other's flushes and
split each other's lines.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from tests.support.function_output import captured_function_output

from eventframework.handlers._runtime import bind, count, invocation, logger

INVOCATIONS = 150
COUNTS = 40


@dataclass
class Context:
    """What Lambda's Python runtime gives a handler, as far as Powertools reads it."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    memory_limit_in_mb: int = 128


@invocation
def handler(event: dict[str, Any], context: Any) -> str:
    bind(event["source"], event["execution"])
    for _ in range(COUNTS):
        count("Things", 1)
    logger.info("done")
    return str(event["source"])


def _invoke_many(source: str, errors: list[BaseException]) -> None:
    for number in range(INVOCATIONS):
        context = Context(
            f"Function-{source}", f"arn:aws:lambda:us-east-1:1:function:F-{source}", f"{source}-{number}"
        )
        try:
            handler({"source": source, "execution": f"run-{source}"}, context)
        except BaseException as error:  # re-raised by the assertion below
            errors.append(error)


def test_handlers_invocations_at_once_keep_their_own_metrics_and_log_keys() -> None:
    errors: list[BaseException] = []
    with captured_function_output() as buffer:
        threads = [threading.Thread(target=_invoke_many, args=(source, errors)) for source in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]  # every line is whole JSON
    documents = [line for line in lines if "_aws" in line]
    logs = [line for line in lines if line.get("message") == "done"]
    assert len(documents) == len(logs) == 2 * INVOCATIONS
    for document in documents:
        assert document["Things"] == [1.0] * COUNTS, "one invocation's counts, all of them, no other's"
        assert document["source"] in ("a", "b") and document["service"] == "eventframework"
    for log in logs:
        source = log["source"]
        assert log["function_name"] == f"Function-{source}" and log["execution"] == f"run-{source}"
        assert log["correlation_id"] == f"run-{source}:{source}"
        assert log["function_request_id"].startswith(f"{source}-")


def test_handlers_invocation_writes_its_metrics_when_the_handler_raises() -> None:
    @invocation
    def failing(event: Any, context: Any) -> None:
        count("Attempts", 1)
        raise RuntimeError("boom")

    with captured_function_output() as buffer, contextlib.suppress(RuntimeError):
        failing({}, Context("F", "arn:aws:lambda:us-east-1:1:function:F", "r-1"))
    [document] = [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith('{"_aws"')]
    assert document["Attempts"] == [1.0]


def test_handlers_invocation_starts_without_the_keys_of_the_one_before() -> None:
    with captured_function_output() as buffer:
        handler(
            {"source": "a", "execution": "run-a"}, Context("F", "arn:aws:lambda:us-east-1:1:function:F", "1")
        )

        @invocation
        def quiet(event: Any, context: Any) -> None:
            logger.info("second")

        quiet({}, Context("G", "arn:aws:lambda:us-east-1:1:function:G", "2"))
    [second] = [json.loads(line) for line in buffer.getvalue().splitlines() if '"second"' in line]
    assert second["function_name"] == "G" and "source" not in second and "correlation_id" not in second
