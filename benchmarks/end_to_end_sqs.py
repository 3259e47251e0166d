"""End to end with the embedded emulator's SQS as the sink, beside that SQS's own ceiling.

(a) ``efw run okta-system-log`` (default ``--sink queue``): the pull publishes to the emulated MozDef
queue over HTTP, drained into a file as MozDef would consume it; fresh process and state directory.
(b) the ceiling, in the same run: a fresh process of this script starts the same embedded emulator
and drain, then sends exactly the bodies (a) delivered, in SendMessageBatch calls of up to 10
entries / 256 KB, as fast as one boto3 client can. The target: (a) reaches half of (b)'s events/s.

Usage (from the repository root)::

    .venv/bin/python benchmarks/end_to_end_sqs.py            # 10,000 events
    .venv/bin/python benchmarks/end_to_end_sqs.py --quick    # 2,000 events
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _bench import PYTHON, ROOT, SandboxProcess, execution_seconds, load_average, run_child, run_efw, table


def ceiling(bodies_file: Path) -> None:
    """Send every line of ``bodies_file`` through the embedded emulator's SQS; print the timing."""
    import boto3

    from eventframework.local.emulator import EmulatorServer
    from eventframework.local.emulator.server import patched_environment
    from eventframework.local.queue_sink import QueueSink

    bodies = bodies_file.read_text(encoding="utf-8").splitlines()
    with EmulatorServer() as emulator, patched_environment(emulator.environment()):
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="ceiling")["QueueUrl"]
        sink = QueueSink(url, bodies_file.with_suffix(".drained"), emulator.region).start()
        started = time.perf_counter()
        batch: list[str] = []
        size = 0
        for body in [*bodies, ""]:
            if batch and (not body or len(batch) == 10 or size + len(body.encode()) > 262_144):
                entries = [{"Id": str(i), "MessageBody": text} for i, text in enumerate(batch)]
                sqs.send_message_batch(QueueUrl=url, Entries=entries)  # type: ignore[arg-type]
                batch, size = [], 0
            if body:
                batch.append(body)
                size += len(body.encode())
        sent = time.perf_counter() - started
        drained = sink.stop()
        print(json.dumps({"messages": len(bodies), "drained": drained, "seconds": sent}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 events")
    parser.add_argument("--ceiling", type=Path, help=argparse.SUPPRESS)  # internal: (b) in a child
    args = parser.parse_args(argv)
    if args.ceiling:
        ceiling(args.ceiling)
        return
    events = 2000 if args.quick else args.events
    print(f"end_to_end_sqs: {events} events; {load_average()}")
    with tempfile.TemporaryDirectory(prefix="efw-bench-") as tmp, SandboxProcess(events) as sandbox:
        work = Path(tmp)
        pull = run_efw(sandbox, work, sink="queue", tag="e2e")
        summary = pull.json()
        engine_seconds = execution_seconds(work / "state-e2e")
        out = work / "efw-e2e.jsonl"
        limit = run_child(
            [PYTHON, str(Path(__file__).resolve()), "--ceiling", str(out)], sandbox.env(), cwd=ROOT
        )
        sink = limit.json()
    delivered = summary["delivered"]
    rows = [
        ["efw run --sink queue (whole process)", delivered, pull.seconds, delivered / pull.seconds],
        ["efw run --sink queue (executions)", delivered, engine_seconds, delivered / engine_seconds],
        [
            "SendMessageBatch loop (sends only)",
            sink["messages"],
            sink["seconds"],
            sink["messages"] / sink["seconds"],
        ],
    ]
    print(table(["what", "events", "seconds", "events/s"], rows))
    ceiling_rate = sink["messages"] / sink["seconds"]
    process_ratio = delivered / pull.seconds / ceiling_rate
    engine_ratio = delivered / engine_seconds / ceiling_rate
    print(f"efw / SQS ceiling: {process_ratio:.2f} whole process, {engine_ratio:.2f} executions (target 0.5)")
    print(f"status {summary['status']}")


if __name__ == "__main__":
    main()
