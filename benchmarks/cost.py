"""Cost per million events: state transitions and Lambda invocations read from execution history.

Runs ``efw run okta-system-log --sink file`` on the local engine against the sandbox (in its own
process, HTTPS) for N events with a fresh state directory, then reads the execution records it
saved: ``stateTransitions`` (what Standard workflows bill), every ``LambdaFunctionScheduled``
(invocations, by function) and the Started->Succeeded time of each invocation (its duration on this
machine, against the embedded emulator). From those, per 1,000 events and per million events:

* Step Functions Standard: $0.025 per 1,000 state transitions;
* Lambda: $0.20 per million requests and $0.0000166667 per GB-second (x86, us-east-1) at the
  template's ``MemorySize`` (Globals, or the function's own), with the measured durations.

Usage (from the repository root)::

    .venv/bin/python benchmarks/cost.py                 # 10,000 events
    .venv/bin/python benchmarks/cost.py --events 50000
    .venv/bin/python benchmarks/cost.py --quick         # 3,000 events
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from _bench import ROOT, SandboxProcess, executions_of, load_average, run_efw, table
from eventframework.local.cfn import load_template

TRANSITION_USD = 0.025 / 1000
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
LAMBDA_GB_SECOND_USD = 0.0000166667


def memory_mb(template: dict[str, Any], function: str) -> int:
    own = template["Resources"].get(function, {}).get("Properties", {}).get("MemorySize")
    default = template.get("Globals", {}).get("Function", {}).get("MemorySize", 128)
    return int(own or default)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def invocations(records: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Durations (seconds) of every Lambda invocation, by function logical id."""
    durations: dict[str, list[float]] = defaultdict(list)
    for record in records:
        function, started = "", None
        for event in record["history"]:
            kind = event["type"]
            if kind == "LambdaFunctionScheduled":
                function = event["lambdaFunctionScheduledEventDetails"]["resource"].rsplit(":", 1)[-1]
            elif kind == "LambdaFunctionStarted":
                started = _moment(event["timestamp"])
            elif kind in ("LambdaFunctionSucceeded", "LambdaFunctionFailed") and started is not None:
                durations[function].append((_moment(event["timestamp"]) - started).total_seconds())
                started = None
    return durations


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="3,000 events")
    args = parser.parse_args(argv)
    events = 3000 if args.quick else args.events
    print(f"cost: {events} events; {load_average()}")
    template = load_template(ROOT / "template.yaml")
    with tempfile.TemporaryDirectory(prefix="efw-bench-") as tmp, SandboxProcess(events) as sandbox:
        summary = run_efw(sandbox, Path(tmp), tag="cost").json()
        records = executions_of(Path(tmp) / "state-cost")
    published = summary["totals"]["published"]
    pages = summary["totals"]["pages"]
    transitions = sum(record["stateTransitions"] for record in records)
    per_k = 1000 / published
    rows = []
    lambda_usd = 0.0
    for function, durations in sorted(invocations(records).items()):
        memory = memory_mb(template, function)
        gb_seconds = sum(durations) * memory / 1024
        lambda_usd += len(durations) * LAMBDA_REQUEST_USD + gb_seconds * LAMBDA_GB_SECOND_USD
        mean_ms = 1000 * sum(durations) / len(durations)
        rows.append([function, len(durations), len(durations) * per_k, memory, mean_ms, gb_seconds * per_k])
    status = summary["status"]
    print(f"{published} events published in {pages} pages ({len(records)} execution(s)), status {status}")
    print(table(["function", "invocations", "per 1k events", "MB", "mean ms", "GB-s per 1k events"], rows))
    sfn_usd = transitions * TRANSITION_USD
    million = 1_000_000 / published
    cost_rows = [
        ["state transitions", transitions, transitions * per_k, sfn_usd * million],
        [
            "Lambda invocations",
            sum(row[1] for row in rows),
            sum(row[2] for row in rows),
            lambda_usd * million,
        ],
        ["total", "", "", (sfn_usd + lambda_usd) * million],
    ]
    print(table(["item", "count", "per 1k events", "USD per million events"], cost_rows))


if __name__ == "__main__":
    main()
