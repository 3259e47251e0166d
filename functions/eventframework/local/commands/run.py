"""`efw run SOURCE`: pull one source end to end on the embedded defaults (or a live API)."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventframework.local.pull_run import LocalPull, LocalRunOptions, RunSummary
from eventframework.local.queue_sink import FileSink


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="pull a source end to end locally (embedded emulator and sandbox API by default)",
        description=(
            "Run the real pull state machine for SOURCE on the local engine, against an embedded AWS "
            "emulator and the bundled sandbox API, and write what reached the MozDef queue to a "
            "JSON-lines file. State is kept in --state-dir, so the next run resumes from the checkpoint."
        ),
    )
    parser.add_argument("source", help="source id, e.g. okta-system-log (a file sources/<id>.yaml)")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"), help="SAM template")
    parser.add_argument("--state-dir", type=Path, default=Path(".efw"), help="local state (default .efw)")
    parser.add_argument(
        "--out", type=Path, help="JSONL file for delivered events (default efw-out/SOURCE.jsonl)"
    )
    parser.add_argument("--base-url", help="pull a live API at this base URL instead of the sandbox")
    parser.add_argument("--token-env", help="name of the environment variable holding the live API token")
    parser.add_argument("--events", type=int, default=5000, help="events in a new sandbox (default 5000)")
    parser.add_argument(
        "--new-events",
        type=int,
        default=100,
        help="events that arrive in the sandbox before each later run (default 100)",
    )
    parser.add_argument("--seed", type=int, default=7, help="sandbox event-set seed")
    parser.add_argument(
        "--sink",
        choices=("queue", "file"),
        default="queue",
        help="queue: publish to the emulated MozDef queue, drained into --out (default); "
        "file: ProcessPage publishes straight into --out, no emulated queue (benchmarks)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run_command)


def _print_progress(delivered: int, seconds: float) -> None:
    rate = delivered / seconds if seconds else 0.0
    print(f"\r  delivered {delivered:>8} events  {rate:8.0f} events/s", end="", file=sys.stderr, flush=True)


def render_summary(summary: RunSummary) -> str:
    totals = summary.totals
    runs = f"{len(summary.executions)} execution(s), {summary.seconds:.1f} s"
    stored = summary.dead_letters_total
    lines = [
        f"source          {summary.source}",
        f"status          {summary.status}   ({runs})",
        f"pages           {totals.get('pages', 0)}",
        f"fetched         {totals.get('fetched', 0)}",
        f"published       {totals.get('published', 0)}",
        f"dead-lettered   {totals.get('dead_lettered', 0)}   (in store for this source: {stored})",
        f"duplicates      {totals.get('duplicates', 0)} dropped",
        f"delivered       {summary.delivered} -> {summary.out}",
        f"checkpoint      {summary.checkpoint or '(none)'}",
    ]
    if summary.error:
        lines += [
            f"failed at       {summary.failed_execution}",
            f"error           {summary.error}: {summary.cause}",
        ]
    return "\n".join(lines)


@contextlib.contextmanager
def stdout_to(path: Path) -> Iterator[None]:
    """Send file descriptor 1 to `path` while the block runs.

    Powertools' logger binds `sys.stdout` when its module is first imported, which a Python-level
    redirect cannot reach; swapping the descriptor catches every writer, then puts the terminal back.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _pull(options: LocalRunOptions, sink: str, progress: Any) -> RunSummary:
    if sink != "file":
        return LocalPull(options).run(progress=progress)
    file_sink = FileSink(options.out_path).start()
    try:
        summary = LocalPull(options, lambdas=file_sink.bindings()).run()
    finally:
        file_sink.stop()
    summary.delivered = file_sink.delivered
    return summary


def run_command(args: argparse.Namespace) -> int:
    options = LocalRunOptions(
        source=args.source,
        template=args.template,
        state_dir=args.state_dir,
        out=args.out,
        base_url=args.base_url,
        token_env=args.token_env,
        sandbox_events=args.events,
        sandbox_new_events=args.new_events,
        seed=args.seed,
    )
    log_path = args.state_dir / "logs" / f"{args.source}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # The handlers log (and emit EMF metrics) to stdout as Lambda expects; keep that out of the
    # terminal and in a file the user can read after the run.
    with stdout_to(log_path):
        summary = _pull(options, args.sink, progress=None if args.json else _print_progress)
    # The heap (boto3 and moto models, the emulator) dies with the process: freezing it spares the
    # interpreter's last full collection from walking it at exit (~1 s of CPU after a run).
    atexit.register(gc.freeze)
    if args.json:
        print(json.dumps(asdict(summary), indent=2))
    else:
        print(file=sys.stderr)
        print(render_summary(summary))
        print(f"function logs   {log_path}")
    return 0 if summary.status == "SUCCEEDED" else 1
