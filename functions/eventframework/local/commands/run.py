"""`efw run SOURCE`: pull one source end to end on the embedded defaults (or a live API)."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventframework.local.run.pull import LocalPull, LocalRunOptions, RunSummary
from eventframework.observability.health import one_line_cause
from eventframework.pipeline.backfill import BackfillRange


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="pull a source end to end locally (embedded emulator and sandbox API by default)",
        description=(
            "Run the real pull state machine for SOURCE on the local engine, against an embedded AWS "
            "emulator and the bundled sandbox API, and write what reached the MozDef queue to a "
            "JSON-lines file. State is kept in --state-dir, step by step, so the next run resumes "
            "from the checkpoint, even after a crash. Ctrl-C (or SIGTERM) stops at the next step; a "
            "second Ctrl-C exits at once, also safely. Exit status: 0 pulled, 1 failed, 75 skipped "
            "(the source's lease is held), 130/143 stopped by a signal."
        ),
    )
    parser.add_argument("source", help="source id, e.g. okta-system-log (a file sources/<id>.yaml)")
    add_pull_arguments(parser)
    parser.set_defaults(func=run_command)


def add_pull_arguments(parser: argparse.ArgumentParser) -> None:
    """What a local pull takes (`efw run` and `efw backfill`): where state and output live, and the
    API it pulls (the sandbox by default)."""
    parser.add_argument("--template", type=Path, default=Path("template.yaml"), help="SAM template")
    parser.add_argument("--state-dir", type=Path, default=Path(".efw"), help="local state (default .efw)")
    parser.add_argument(
        "--out", type=Path, help="JSONL file for delivered events (default efw-out/SOURCE.jsonl)"
    )
    parser.add_argument("--base-url", help="pull a live API at this base URL instead of the sandbox")
    parser.add_argument("--token-env", help="name of the environment variable holding the live API token")
    parser.add_argument("--events", type=_count, default=5000, help="events in a new sandbox (default 5000)")
    parser.add_argument(
        "--new-events",
        type=_count,
        default=100,
        help="events that arrive in the sandbox before each later run (default 100)",
    )
    parser.add_argument("--seed", type=int, default=7, help="sandbox event-set seed")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


EXIT_SKIPPED = 75  # sysexits.h EX_TEMPFAIL: nothing wrong with the request, try again later
PLAIN_PROGRESS_SECONDS = 10.0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _progress_lines(detail: Callable[[], str]) -> Callable[[int, float], None]:
    """On a terminal, one live line; otherwise (a log, CI) a plain line every few seconds."""
    last = [0.0]

    def line(delivered: int, seconds: float) -> None:
        rate = delivered / seconds if seconds else 0.0
        extra = detail()
        if sys.stderr.isatty():
            shown = f"\r  delivered {delivered:>8} events  {rate:8.0f} events/s  {extra}"
            print(shown, end="", file=sys.stderr, flush=True)
        elif seconds - last[0] >= PLAIN_PROGRESS_SECONDS:
            last[0] = seconds
            shown = f"delivered {delivered} events ({rate:.0f} events/s){'  ' + extra if extra else ''}"
            print(shown, file=sys.stderr, flush=True)

    return line


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
    lines += _backfill_lines(summary) + _outcome_lines(summary)
    return "\n".join([f"note            {notice}" for notice in summary.notices] + lines)


def _backfill_lines(summary: RunSummary) -> list[str]:
    if summary.backfill is None:
        return []
    span = f"{summary.backfill['since']} .. {summary.backfill['until']}"
    if summary.nothing_to_do:
        return [f"backfill        {span}", f"nothing to do   {summary.nothing_to_do}"]
    return [
        f"backfill        {span}   (the live cursor is untouched)",
        f"reached         {summary.reached or '-'}",
    ]


def _outcome_lines(summary: RunSummary) -> list[str]:
    """What the status means and what to do next, for every status but a plain success."""
    if summary.status == "SKIPPED" and summary.lease:
        lease = summary.lease
        holder = str(lease.get("owner"))
        since = _when(lease.get("taken_at"))
        until = _when(lease.get("expires_at"))
        return [
            f"skipped         the source's lease is held by execution {holder}"
            + (f" since {since}" if since else "")
            + f", until {until}",
            f"next            efw executions show {holder}   (why it stopped; then "
            f"`efw redrive` it, or wait until {until})",
        ]
    if summary.status == "ABORTED":
        return [
            f"stopped         {summary.cause or 'by a signal'}, at a step boundary: nothing lost",
            f"next            run the same command again to resume from {summary.checkpoint or 'the start'}",
        ]
    if summary.error:
        return [
            f"failed at       {summary.failed_execution}",
            f"error           {summary.error}: {one_line_cause(summary.cause)}",
            f"next            efw executions show {summary.failed_execution}",
        ]
    return []


def _when(epoch: Any) -> str | None:
    if not isinstance(epoch, int | float) or epoch <= 0:
        return None
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M:%S} UTC"


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


def _exit_status(summary: RunSummary, stopped_by: list[int]) -> int:
    if stopped_by:
        return 128 + stopped_by[0]
    return {"SUCCEEDED": 0, "SKIPPED": EXIT_SKIPPED}.get(summary.status, 1)


@contextlib.contextmanager
def stopped_by_signals(pull: LocalPull, received: list[int]) -> Iterator[None]:
    """SIGINT or SIGTERM stops the run at the next step; a second one exits at once.

    Exiting at once is safe: every completed step is on disk, and the next run undoes a step that
    was cut short (see emulator/journal.py).
    """

    def handle(signum: int, _frame: Any) -> None:
        if received:
            os._exit(128 + signum)
        received.append(signum)
        name = signal.Signals(signum).name
        print(
            f"\n{name}: stopping at the next step (again to exit at once; nothing is lost either way)",
            file=sys.stderr,
            flush=True,
        )
        pull.stop("States.Aborted", f"{name} received")

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_command(args: argparse.Namespace) -> int:
    return run_local(args, pull_options(args))


def pull_options(args: argparse.Namespace, backfill: BackfillRange | None = None) -> LocalRunOptions:
    return LocalRunOptions(
        source=args.source,
        template=args.template,
        state_dir=args.state_dir,
        out=args.out,
        base_url=args.base_url,
        token_env=args.token_env,
        sandbox_events=args.events,
        sandbox_new_events=args.new_events,
        seed=args.seed,
        backfill=backfill,
    )


def run_local(
    args: argparse.Namespace, options: LocalRunOptions, detail: Callable[[LocalPull], str] | None = None
) -> int:
    """Run `options` on the local engine with the terminal's progress, signals and summary;
    `detail` adds to each progress line (a backfill's position in its range)."""
    pull = LocalPull(options)  # refuses a missing template or an unknown source before any file is made
    log_path = args.state_dir / "logs" / f"{args.source}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    received: list[int] = []
    progress = None if args.json else _progress_lines(lambda: detail(pull) if detail else "")
    # The handlers log (and emit EMF metrics) to stdout as Lambda expects; keep that out of the
    # terminal and in a file the user can read after the run.
    with stdout_to(log_path), stopped_by_signals(pull, received):
        summary = pull.run(progress=progress)
    # The heap (boto3 and moto models, the emulator) dies with the process: freezing it spares the
    # interpreter's last full collection from walking it at exit (~1 s of CPU after a run).
    atexit.register(gc.freeze)
    if args.json:
        print(json.dumps(asdict(summary), indent=2))
    else:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(render_summary(summary))
        print(f"function logs   {log_path}")
    return _exit_status(summary, received)
