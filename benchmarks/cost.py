"""Cost per million events: state transitions and Lambda invocations read from execution history.

Runs ``efw run okta-system-log`` on the local engine against the sandbox (in its own
process, HTTPS) for N events with a fresh state directory, then reads the execution records it
saved: ``stateTransitions`` (what Standard workflows bill), every ``LambdaFunctionScheduled``
(invocations, by function) and the Started->Succeeded time of each invocation (its duration on this
machine, against the embedded emulator). From those, per 1,000 events and per million events:

* Step Functions Standard: $0.025 per 1,000 state transitions;
* Lambda: $0.20 per million requests and $0.0000166667 per GB-second (x86, us-east-1) at the
  template's ``MemorySize`` (Globals, or the function's own), with the measured durations.

and, since a page also costs requests to the data stores (list prices, us-east-1, on demand):

* DynamoDB: the ledger item is read (consistent: one read unit per 4 KB) and written back (one write
  unit per 1 KB) on every page, the checkpoint written once per page; sizes are those of the items
  the run left in its state directory (the ledger at its steady-state size), at $0.125 per million
  read units and $0.625 per million write units;
* S3: one PUT ($0.005 per 1,000) and one GET ($0.0004 per 1,000) per page (pages expire by lifecycle);
* SQS: one SendMessageBatch per 10 events, billed per 64 KB chunk, at $0.40 per million requests,
  with the mean body size the run delivered.

Secrets Manager ($0.05 per 10,000 calls, one per cold start: the secret is cached), CloudWatch logs
and metrics, KMS and data transfer are left out; free tiers are ignored.

With ``--backfill-days D`` the sandbox's events span the last D days; a first ``efw run`` pulls the
live hour, then ``efw backfill --since <D days ago>`` fills the rest, and the figures are the
backfill's executions alone (a backfill pays per page what the live pull pays).

Usage (from the repository root)::

    .venv/bin/python benchmarks/cost.py                 # 10,000 events
    .venv/bin/python benchmarks/cost.py --events 50000
    .venv/bin/python benchmarks/cost.py --quick         # 3,000 events
    .venv/bin/python benchmarks/cost.py --events 50000 --backfill-days 7
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from _bench import ROOT, SandboxProcess, executions_of, load_average, run_efw, table
from eventframework.local.template.cfn import load_template

TRANSITION_USD = 0.025 / 1000
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
LAMBDA_GB_SECOND_USD = 0.0000166667
DYNAMODB_READ_UNIT_USD = 0.125 / 1_000_000
DYNAMODB_WRITE_UNIT_USD = 0.625 / 1_000_000
S3_PUT_USD = 0.005 / 1000
S3_GET_USD = 0.0004 / 1000
SQS_REQUEST_USD = 0.40 / 1_000_000
SQS_CHUNK_BYTES = 64 * 1024


def value_bytes(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (low-level JSON), by its documented rules."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return len(data.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":  # the state directory writes binary as {"__b64__": text}
        return len(base64.b64decode(data["__b64__"] if isinstance(data, dict) else data))
    if kind == "M":
        return 3 + sum(len(key.encode("utf-8")) + value_bytes(item) + 1 for key, item in data.items())
    if kind == "L":
        return 3 + sum(value_bytes(item) + 1 for item in data)
    return 1  # BOOL, NULL


def item_bytes(item: dict[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + value_bytes(value) for name, value in item.items())


def state_items(state_dir: Path, backfill: bool = False) -> dict[str, int]:
    """Size in bytes of the source's items the run left in the state table, by kind (`checkpoint`,
    `ledger`): the live pull's, or with `backfill` the backfill's (`backfill#...`, `ledger#backfill#...`)."""
    sizes: dict[str, int] = {}
    for line in (state_dir / "tables" / "StateTable.jsonl").read_text().splitlines():
        item = json.loads(line)
        sk = item["sk"]["S"]
        if ("backfill#" in sk) == backfill:
            sizes["ledger" if sk.startswith("ledger") else "checkpoint"] = item_bytes(item)
    return sizes


def store_rows(pages: int, published: int, body_bytes: float, sizes: dict[str, int]) -> list[list[Any]]:
    """(item, count per page, per 1k events, USD per million events) for the data-store requests."""
    ledger, checkpoint = sizes.get("ledger", 0), sizes.get("checkpoint", 0)
    batches_per_page = published / pages / 10
    per_page = [
        ("DynamoDB ledger read units", math.ceil(ledger / 4096), DYNAMODB_READ_UNIT_USD),
        ("DynamoDB ledger write units", math.ceil(ledger / 1024), DYNAMODB_WRITE_UNIT_USD),
        ("DynamoDB checkpoint write units", math.ceil(checkpoint / 1024), DYNAMODB_WRITE_UNIT_USD),
        ("S3 PUT", 1, S3_PUT_USD),
        ("S3 GET", 1, S3_GET_USD),
        ("SQS requests", batches_per_page * math.ceil(10 * body_bytes / SQS_CHUNK_BYTES), SQS_REQUEST_USD),
    ]
    pages_per_k = 1000 * pages / published
    return [[name, n, n * pages_per_k, n * pages_per_k * 1000 * usd] for name, n, usd in per_page]


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
    parser.add_argument("--backfill-days", type=int, help="measure a backfill of this many days instead")
    args = parser.parse_args(argv)
    events = 3000 if args.quick else args.events
    days = args.backfill_days
    print(f"cost: {events} events{f', a {days}-day backfill' if days else ''}; {load_average()}")
    template = load_template(ROOT / "template.yaml")
    history = days * 86400 if days else 1800
    with (
        tempfile.TemporaryDirectory(prefix="efw-bench-") as tmp,
        SandboxProcess(events, history_seconds=history) as sandbox,
    ):
        summary = run_efw(sandbox, Path(tmp), tag="cost").json()
        if days:
            summary = run_efw(sandbox, Path(tmp), tag="cost", backfill_since=f"{days}d").json()
        records = [
            record
            for record in executions_of(Path(tmp) / "state-cost")
            if bool(days) == (dict(record.get("input") or {}).get("backfill") is not None)
        ]
        sizes = state_items(Path(tmp) / "state-cost", backfill=bool(days))
        out = Path(tmp) / "efw-cost.jsonl"
        lines = out.read_bytes().count(b"\n") or 1
        body_bytes = out.stat().st_size / lines
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
    stores = store_rows(pages, published, body_bytes, sizes)
    print(f"data stores: ledger item {sizes.get('ledger', 0):,} bytes, mean SQS body {body_bytes:,.0f} bytes")
    print(table(["request", "per page", "per 1k events", "USD per million events"], stores))
    stores_usd = sum(row[3] for row in stores)
    print(f"all of the above: {(sfn_usd + lambda_usd) * million + stores_usd:.3f} USD per million events")


if __name__ == "__main__":
    main()
