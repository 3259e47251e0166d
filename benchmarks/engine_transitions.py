"""State transitions per second of the local engine beside moto's interpreter, on one core.

Two workloads, each a counting loop run to N iterations:

* ``pass_choice``: Pass (States.MathAdd) -> Choice -> Pass ..., no tasks at all;
* ``lambda_task``: Task (a Lambda that echoes its event) -> Pass (States.MathAdd) -> Choice -> ...

Both run the same definitions on the engine (in-process handler, virtual clock) and on moto's Step
Functions interpreter (``execute_state_machine``; its Lambda backend without Docker echoes the
payload, so the work per state matches). A transition is a state entered, counted from each
runner's own execution history. Timing is wall-clock from start to terminal status; the process
is pinned to one CPU where the OS allows it.

Usage (from the repository root)::

    .venv/bin/python benchmarks/engine_transitions.py                 # N=200, 3 repeats, best kept
    .venv/bin/python benchmarks/engine_transitions.py --iterations 500 --repeat 5
    .venv/bin/python benchmarks/engine_transitions.py --no-moto       # engine only

Prints one table row per workload and runner, then engine/moto ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine.clock import VirtualClock
from eventframework.local.engine.engine import Engine

REGION = "us-east-1"
ACCOUNT = "123456789012"
FUNCTION_NAME = "BenchEcho"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}"
MOTO_JOIN_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Measurement:
    workload: str
    runner: str
    transitions: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.transitions / self.seconds if self.seconds > 0 else float("inf")


def _loop(iterations: int, body: dict[str, Any] | None) -> dict[str, Any]:
    """Init -> [Work ->] Increment -> Check -> ... -> Done, `iterations` times round the loop."""
    first = "Work" if body else "Increment"
    states: dict[str, Any] = {
        "Init": {"Type": "Pass", "Parameters": {"n": 0}, "Next": first},
        "Increment": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": iterations, "Next": "Done"}],
            "Default": first,
        },
        "Done": {"Type": "Succeed"},
    }
    if body:
        states["Work"] = {**body, "Next": "Increment"}
    return {"Comment": "Benchmark loop", "StartAt": "Init", "States": states}


def workloads(iterations: int) -> dict[str, dict[str, Any]]:
    return {
        "pass_choice": _loop(iterations, None),
        "lambda_task": _loop(iterations, {"Type": "Task", "Resource": FUNCTION_ARN}),
    }


def echo_handler(event: Any, _context: Any) -> Any:
    return event


def _entered(history: list[dict[str, Any]]) -> int:
    return sum(1 for event in history if str(event["type"]).endswith("StateEntered"))


def run_engine(name: str, definition: dict[str, Any]) -> Measurement:
    engine = Engine(clock=VirtualClock())
    machine = engine.register(definition, f"bench-{name}", lambdas={FUNCTION_NAME: echo_handler})
    started = time.perf_counter()
    execution = engine.start(machine.arn, {})
    elapsed = time.perf_counter() - started
    if execution.status != "SUCCEEDED":
        raise SystemExit(
            f"engine run of {name} ended {execution.status}: {execution.error} {execution.cause}"
        )
    return Measurement(name, "engine", _entered(execution.history), elapsed)


@contextmanager
def moto_session() -> Iterator[Callable[[str, dict[str, Any]], Measurement]]:
    """A moto mock with an echo Lambda, yielding a function that runs one workload on moto."""
    import boto3
    from moto import mock_aws
    from moto.stepfunctions.parser.utils import TMP_THREADS

    config: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
    with mock_aws(config=config):
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="bench", AssumeRolePolicyDocument="{}"
        )
        role_arn = role["Role"]["Arn"]
        boto3.client("lambda", region_name=REGION).create_function(
            FunctionName=FUNCTION_NAME,
            Runtime="python3.11",
            Role=role_arn,
            Handler="echo.handler",
            Code={"ZipFile": _echo_zip()},
        )
        client = boto3.client("stepfunctions", region_name=REGION)
        runs = 0

        def run(name: str, definition: dict[str, Any]) -> Measurement:
            nonlocal runs
            runs += 1
            machine = client.create_state_machine(
                name=f"bench-{name}-{runs}", definition=json.dumps(definition), roleArn=role_arn
            )
            started = time.perf_counter()
            execution = client.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")
            for thread in list(TMP_THREADS):
                thread.join(MOTO_JOIN_TIMEOUT_SECONDS)
            elapsed = time.perf_counter() - started
            arn = execution["executionArn"]
            status = client.describe_execution(executionArn=arn)["status"]
            if status != "SUCCEEDED":
                raise SystemExit(f"moto run of {name} ended {status}")
            pages = client.get_paginator("get_execution_history").paginate(executionArn=arn)
            history = [event for page in pages for event in page["events"]]
            return Measurement(name, "moto", _entered(history), elapsed)

        yield run


def _echo_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("echo.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def best_of(repeat: int, measure: Callable[[], Measurement]) -> Measurement:
    """The fastest of `repeat` runs: the least disturbed by the rest of the machine."""
    return min((measure() for _ in range(repeat)), key=lambda m: m.seconds)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this OS)"


def print_table(rows: list[Measurement]) -> None:
    print(f"{'workload':<14}{'runner':<8}{'transitions':>12}{'seconds':>10}{'transitions/s':>15}")
    for row in rows:
        print(f"{row.workload:<14}{row.runner:<8}{row.transitions:>12}{row.seconds:>10.3f}{row.rate:>15,.0f}")
    by_key = {(row.workload, row.runner): row for row in rows}
    for workload in dict.fromkeys(row.workload for row in rows):
        engine, moto = by_key.get((workload, "engine")), by_key.get((workload, "moto"))
        if engine and moto:
            print(f"ratio {workload}: engine is {engine.rate / moto.rate:,.1f}x moto's transitions/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200, help="loop iterations per execution")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--no-moto", action="store_true", help="measure the engine only")
    args = parser.parse_args(argv)
    print(f"iterations={args.iterations} repeat={args.repeat}; {pin_to_one_core()}")
    rows: list[Measurement] = []
    definitions = workloads(args.iterations)
    for name, definition in definitions.items():
        rows.append(
            best_of(args.repeat, lambda name=name, definition=definition: run_engine(name, definition))
        )
    if not args.no_moto:
        with moto_session() as run_moto:
            for name, definition in definitions.items():
                rows.append(
                    best_of(args.repeat, lambda name=name, definition=definition: run_moto(name, definition))
                )
    print_table(rows)


if __name__ == "__main__":
    main()
