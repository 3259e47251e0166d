"""`efw status`: per source the last successful run, lag, events in the last run, dead letters, the
lease holder and the next scheduled run, from the local state directory or a deployed stack.

Exits 1 when any source is unhealthy (see `eventframework.observability.health`), so it can gate a
script or a deploy; 0 when all are healthy; 2 when the state cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources
from eventframework.local.status.reading import LocalStatusReader, StatusReader, StatusSourceError
from eventframework.observability import SourceHealth, assess


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="health of each source: last success, lag, last run, dead letters, lease, next run",
        description=(
            "Report each source's health from the local state directory (default) or, with --stack, "
            "from a deployed stack. Exit status 1 when any source is unhealthy."
        ),
    )
    parser.add_argument("sources", nargs="*", help="source ids (default: every source with state)")
    parser.add_argument("--state-dir", type=Path, default=Path(".efw"), help="local state (default .efw)")
    parser.add_argument("--stack", help="read a deployed CloudFormation stack instead of the state dir")
    parser.add_argument("--profile", help="AWS profile for --stack")
    parser.add_argument("--region", help="AWS region for --stack")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=status_command)


def _reader(args: argparse.Namespace) -> StatusReader:
    if not args.stack:
        return LocalStatusReader(args.state_dir)
    import boto3

    from eventframework.local.status.aws import AwsStatusReader

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    return AwsStatusReader(session, args.stack)


def _selected(args: argparse.Namespace, reader: StatusReader) -> list[SourceDefinition]:
    pulled = [definition for definition in list_sources() if definition.pulled]
    if args.sources:
        known = {definition.id: definition for definition in pulled}
        unknown = [source for source in args.sources if source not in known]
        if unknown:
            raise StatusSourceError("sources/", f"no pulled source {', '.join(unknown)}; see sources/*.yaml")
        return [known[source] for source in args.sources]
    if isinstance(reader, LocalStatusReader):
        with_state = reader.sources_with_state()
        return [definition for definition in pulled if definition.id in with_state]
    return [definition for definition in pulled if definition.enabled]


def _when(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "(never)"
    stamp = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    delta = epoch - now
    return f"{stamp} ({_ago(-delta)} ago)" if delta <= 0 else f"{stamp} (in {_ago(delta)})"


def _ago(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def render(report: SourceHealth, now: float) -> str:
    run = report.last_run
    last_run = f"{run.name} {run.status}" if run else "(none)"
    if run and report.events_last_run is not None:
        last_run += f", {report.events_last_run} events published"
    lines = [
        f"{report.source}: {report.health.value.upper()}",
        f"  last success    {_when(report.last_success_at, now)}",
        f"  lag             {'(no events yet)' if report.lag_seconds is None else _ago(report.lag_seconds)}",
        f"  last run        {last_run}",
        f"  dead letters    {report.dead_letters}",
        f"  lease holder    {report.lease_holder or '(none)'}",
        f"  next run        {_when(report.next_run, now) if report.next_run else '(unknown)'}",
    ]
    lines += [f"  backfill        {backfill}" for backfill in report.backfills]
    lines += [f"  problem: {problem}" for problem in report.problems]
    lines += [f"  warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)


def status_report(
    args: argparse.Namespace, *, clock: Callable[[], float] = time.time
) -> tuple[list[SourceHealth], float]:
    """The health of each selected source at `clock()`; what the command prints."""
    reader = _reader(args)
    definitions = _selected(args, reader)
    now = clock()
    return [assess(state, now) for state in reader.states(definitions)], now


def status_command(args: argparse.Namespace, clock: Callable[[], float] = time.time) -> int:
    reports, now = status_report(args, clock=clock)
    if not args.stack and LocalStatusReader(args.state_dir).interrupted():
        print(
            f"note: a run in {args.state_dir} ended without finishing (killed?); the steps it completed "
            "are kept in its journal and applied by the next `efw run`, so what follows may predate them",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps([{**asdict(report), "healthy": report.healthy} for report in reports], indent=2))
    elif not reports:
        print(f"no source has state in {args.state_dir}; run `efw run SOURCE` or name sources")
    else:
        print("\n\n".join(render(report, now) for report in reports))
    return 0 if reports and all(report.healthy for report in reports) else 1


def run_status(argv: Sequence[str], clock: Callable[[], float] = time.time) -> int:
    """Parse `efw status` arguments and run it with an injected clock."""
    parser = argparse.ArgumentParser(prog="efw")
    register(parser.add_subparsers(dest="command", required=True))
    return status_command(parser.parse_args(["status", *argv]), clock)
