"""`efw backfill SOURCE --since T [--until T]`: fill a past range beside the live pull.

The range runs through the real pull state machine on a record of its own (see
eventframework.pipeline.backfill), locally on the embedded defaults like `efw run`, or on a deployed
stack with `--stack`. Run the same command again to resume a backfill that stopped; one that was
completed says so. The range is refused before anything runs when the vendor does not serve it (its
documented retention) or lies in the future.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from eventframework.definitions import load_source
from eventframework.definitions.times import parse_event_time, rfc3339_millis
from eventframework.local.commands.run import add_pull_arguments, pull_options, run_local
from eventframework.local.ops.views import parse_since
from eventframework.local.run.pull import LocalPull
from eventframework.pipeline.backfill import (
    BackfillRange,
    BackfillRangeError,
    check_request,
    to_millis,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "backfill",
        help="fill a past time range of a source without touching its live cursor",
        description=(
            "Deliver the events of SOURCE between --since and --until (default now) that the live pull "
            "never asked for: the range is clipped where the live pull's first window began, so the two "
            "never deliver the same event. The backfill has its own cursor, lease and ledger; the live "
            "pull and its schedule carry on. Run the same command again to resume."
        ),
    )
    parser.add_argument("source", help="source id, e.g. okta-system-log")
    parser.add_argument("--since", required=True, help="range start: ISO 8601 time or an age (90d, 12h)")
    parser.add_argument("--until", help="range end, exclusive: ISO 8601 time or an age (default now)")
    add_pull_arguments(parser)
    aws = parser.add_argument_group("AWS")
    aws.add_argument("--stack", help="backfill on this deployed stack instead of locally")
    aws.add_argument("--profile", help="AWS profile (with --stack)")
    aws.add_argument("--region", help="AWS region (with --stack)")
    parser.set_defaults(func=backfill_command)


def requested_range(source: str, since: str, until: str | None, now: datetime) -> BackfillRange:
    start = to_millis(parse_since(since, now, "--since"))
    end = to_millis(parse_since(until, now, "--until") if until else now)
    if start >= end:
        raise BackfillRangeError(
            source, f"--since ({rfc3339_millis(start)}) must be before --until ({rfc3339_millis(end)})"
        )
    return BackfillRange(start, end)


def position(pull: LocalPull, seconds: float) -> str:
    """Where the backfill is in its range, and the time left at the current rate through it."""
    requested, reached = pull.options.backfill, pull.reached.newest
    if requested is None or reached is None:
        return ""
    done = (parse_event_time(reached) - requested.since).total_seconds()
    left = (requested.until - parse_event_time(reached)).total_seconds()
    if done <= 0 or seconds <= 0:
        return f"reached {reached}"
    return f"reached {reached}, ~{max(left, 0) / (done / seconds):.0f} s left"


def backfill_command(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    requested = requested_range(args.source, args.since, args.until, now)
    check_request(load_source(args.source), requested, now)
    if args.stack:
        return _on_stack(args, requested)
    options = pull_options(args, backfill=requested)
    started = datetime.now(UTC)

    def detail(pull: LocalPull) -> str:
        return position(pull, (datetime.now(UTC) - started).total_seconds())

    return run_local(args, options, detail)


def _on_stack(args: argparse.Namespace, requested: BackfillRange) -> int:
    import boto3

    from eventframework.local.commands.ops import render_report
    from eventframework.local.ops.aws_ops import AwsOps

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    report = AwsOps(args.stack, session).backfill(args.source, requested)
    print(json.dumps(asdict(report), indent=2) if args.json else render_report(report))
    if not args.json and report.detail:
        print(report.detail, file=sys.stderr)
    return 0 if report.status == "SUCCEEDED" else 1
