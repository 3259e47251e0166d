"""`efw executions|redrive|reprocess|deadletters`: find a failed run, read why, recover, confirm.

Every command has one syntax for both places it can act: the local state directory (default; the
embedded emulator and engine run what needs running) and a deployed stack (`--stack NAME`, with
`--profile` / `--region` as for the AWS CLI). Output is a table for people and `--json` for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventframework.local.commands.run import stdout_to
from eventframework.local.ops.views import ExecutionView, FailureView, OpsInputError, parse_since, select
from eventframework.state import DeadLetter

if TYPE_CHECKING:
    # The backends (engine, sandbox, emulator) load only when an ops command runs: every other
    # command of the CLI would otherwise pay ~70 ms of imports at start-up.
    from eventframework.local.ops.aws_ops import AwsOps
    from eventframework.local.ops.local_ops import LocalOps, ReprocessReport

    Ops = LocalOps | AwsOps
SAMPLE_CHARS = 300


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    local = parser.add_argument_group("local (default)")
    local.add_argument("--state-dir", type=Path, default=Path(".efw"), help="local state (default .efw)")
    local.add_argument("--template", type=Path, default=Path("template.yaml"), help="SAM template")
    local.add_argument("--out-dir", type=Path, default=Path("efw-out"), help="where local deliveries go")
    aws = parser.add_argument_group("AWS")
    aws.add_argument("--stack", help="act on this deployed CloudFormation stack instead of --state-dir")
    aws.add_argument("--profile", help="AWS profile (with --stack)")
    aws.add_argument("--region", help="AWS region (with --stack)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def backend(args: argparse.Namespace) -> Ops:
    if args.stack:
        import boto3

        from eventframework.local.ops.aws_ops import AwsOps

        session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
        return AwsOps(args.stack, session)
    if args.profile or args.region:
        raise OpsInputError(
            "--profile/--region", args.profile or args.region, "add --stack NAME to act on AWS"
        )
    from eventframework.local.ops.local_ops import LocalOps

    return LocalOps(args.state_dir, args.template, out_dir=args.out_dir)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(header) for header in headers]] + [
        ["" if v is None else str(v) for v in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, default=str) if args.json else text)


def _since(args: argparse.Namespace) -> datetime | None:
    return parse_since(args.since) if getattr(args, "since", None) else None


def quietly(args: argparse.Namespace, work: Callable[[], Any]) -> Any:
    """Local runs execute the handlers in-process; their JSON logs go to a file, as with `efw run`."""
    if args.stack:
        return work()
    path = args.state_dir / "logs" / f"{args.command}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with stdout_to(path):
        return work()


def _progress(status: str, seconds: float) -> None:
    print(f"\r  {status:<10} {seconds:6.0f} s", end="", file=sys.stderr, flush=True)


def _delivered(delivered: int, seconds: float) -> None:
    print(f"\r  published {delivered:>8} events  {seconds:6.0f} s", end="", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- executions
def executions_list(args: argparse.Namespace) -> int:
    from eventframework.local.ops.aws_ops import AwsOps

    ops = backend(args)
    views = ops.executions(args.status) if isinstance(ops, AwsOps) else ops.executions()
    chosen = select(views, status=args.status, source=args.source, since=_since(args))
    rows = [(v.started[:19], v.kind, v.source, v.status, v.redrive_count or "", v.arn) for v in chosen]
    text = table(("STARTED", "KIND", "SOURCE", "STATUS", "REDRIVES", "EXECUTION"), rows)
    emit(args, [view.to_dict() for view in chosen], text if chosen else "no executions match")
    return 0


def short_cause(cause: str | None) -> str | None:
    """A Lambda error's cause is JSON with a stack trace; the terminal shows its message (--json all)."""
    try:
        parsed = json.loads(cause or "")
    except ValueError:
        return cause
    return str(parsed.get("errorMessage", cause)) if isinstance(parsed, dict) else cause


def render_failure(view: ExecutionView, failure: FailureView | None) -> str:
    lines = [
        f"execution       {view.arn}",
        f"kind            {view.kind}   source {view.source or '(all)'}",
        f"status          {view.status}   started {view.started}   stopped {view.stopped or '-'}",
    ]
    if view.redrive_count:
        lines.append(f"redriven        {view.redrive_count} time(s)")
    if failure is not None:
        lines += [
            f"failed step     {failure.step}",
            f"error           {failure.error}",
            f"cause           {short_cause(failure.cause)}",
            f"page            {failure.page_number if failure.page_number is not None else '-'}"
            + (f"   ({failure.page_key})" if failure.page_key else ""),
            f"cursor          {failure.cursor or '-'}",
            f"next            efw redrive {view.arn}",
        ]
    return "\n".join(lines)


def executions_show(args: argparse.Namespace) -> int:
    view, failure = backend(args).describe(args.arn)
    data = {**view.to_dict(), "failure": asdict(failure) if failure else None}
    emit(args, data, render_failure(view, failure))
    return 0


# ---------------------------------------------------------------- redrive and reprocess
def render_report(report: ReprocessReport) -> str:
    lines = [f"execution           {report.execution}", f"status              {report.status}"]
    lines += [f"{key.replace('_', ' '):<20}{value}" for key, value in report.totals.items()]
    if report.error:
        lines.append(f"error               {report.error}: {report.cause}")
    return "\n".join(lines)


def _redrive_one(args: argparse.Namespace, ops: Ops, arn: str) -> ReprocessReport:
    from eventframework.local.ops.aws_ops import AwsOps

    if isinstance(ops, AwsOps):
        return ops.redrive(arn, None if args.json else _progress)
    return quietly(args, lambda: ops.redrive(arn))  # type: ignore[no-any-return]


def redrive(args: argparse.Namespace) -> int:
    from eventframework.local.ops.aws_ops import AwsOps

    ops = backend(args)
    if args.all_failed == bool(args.arn):
        raise OpsInputError("redrive", args.arn or "", "give one execution ARN or --all-failed, not both")
    if args.arn:
        arns = [args.arn]
    else:
        listed = ops.executions("FAILED") if isinstance(ops, AwsOps) else ops.executions()
        failed = select(listed, status="FAILED", source=args.source, since=_since(args))
        arns = [view.arn for view in failed]
    reports = []
    for index, arn in enumerate(arns, 1):
        if not args.json:
            print(f"[{index}/{len(arns)}] redriving {arn}", file=sys.stderr)
        reports.append(_redrive_one(args, ops, arn))
    text = "\n\n".join(render_report(report) for report in reports) or "no failed executions match"
    emit(args, [asdict(report) for report in reports], text)
    return 0 if all(report.status == "SUCCEEDED" for report in reports) else 1


def reprocess(args: argparse.Namespace) -> int:
    from eventframework.local.ops.aws_ops import AwsOps

    ops = backend(args)
    if not args.json:
        print(
            f"reprocessing dead letters of {args.source}{' (dry run)' if args.dry_run else ''}",
            file=sys.stderr,
        )
    if isinstance(ops, AwsOps):
        report = ops.reprocess(
            args.source,
            dry_run=args.dry_run,
            max_events=args.max_events,
            progress=None if args.json else _progress,
        )
    else:
        shown = None if args.json else _delivered
        report = quietly(
            args,
            lambda: ops.reprocess(
                args.source, dry_run=args.dry_run, max_events=args.max_events, progress=shown
            ),
        )
    if not args.json:
        print(file=sys.stderr)
    emit(args, asdict(report), render_report(report))
    return 0 if report.status == "SUCCEEDED" else 1


# ---------------------------------------------------------------- dead letters
def _letter_dict(letter: DeadLetter) -> dict[str, Any]:
    data = asdict(letter)
    data["raw_ref"] = asdict(letter.raw_ref) if letter.raw_ref else None
    data["page_ref"] = asdict(letter.page_ref) if letter.page_ref else None
    return data


def deadletters_list(args: argparse.Namespace) -> int:
    letters = backend(args).dead_letters(args.source)
    by_kind = Counter((letter.error_kind, letter.message.split(":", 1)[0]) for letter in letters)
    rows = [(count, kind, where) for (kind, where), count in by_kind.most_common()]
    text = (
        table(("COUNT", "REASON", "WHERE"), rows) + f"\n\ntotal {len(letters)}"
        if letters
        else "no dead letters"
    )
    counts = Counter(letter.error_kind for letter in letters)
    emit(args, {"source": args.source, "total": len(letters), "by_reason": dict(counts)}, text)
    return 0


def deadletters_show(args: argparse.Namespace) -> int:
    letters = [
        letter
        for letter in backend(args).dead_letters(args.source)
        if not args.reason or letter.error_kind == args.reason
    ][: args.limit]
    blocks = [
        "\n".join(
            [
                f"event key       {letter.event_key}",
                f"reason          {letter.error_kind}: {letter.message}",
                f"attempts        {letter.attempts}   first {letter.first_seen}   last {letter.last_seen}",
                f"run             {letter.run_id}",
                f"raw             {(letter.raw or '(in the page bucket)')[:SAMPLE_CHARS]}",
            ]
        )
        for letter in letters
    ]
    emit(args, [_letter_dict(letter) for letter in letters], "\n\n".join(blocks) or "no dead letters match")
    return 0


# ---------------------------------------------------------------- registration
def register(subparsers: Any) -> None:
    executions = subparsers.add_parser("executions", help="list pull and reprocess runs; show why one failed")
    verbs = executions.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="executions, newest last; filter by status, source, start time")
    listing.add_argument("--status", help="RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED")
    listing.add_argument("--source", help="only runs of this source")
    listing.add_argument("--since", help="started at or after: ISO 8601 time or an age (30m, 6h, 2d)")
    add_backend_options(listing)
    listing.set_defaults(func=executions_list)
    show = verbs.add_parser("show", help="one execution: the failed step, error, cause, page and cursor")
    show.add_argument("arn", help="execution ARN (from efw executions list)")
    add_backend_options(show)
    show.set_defaults(func=executions_show)

    again = subparsers.add_parser("redrive", help="resume failed executions at the step that failed")
    again.add_argument("arn", nargs="?", help="execution ARN to redrive")
    again.add_argument(
        "--all-failed", action="store_true", help="redrive every FAILED execution that matches"
    )
    again.add_argument("--source", help="with --all-failed: only this source")
    again.add_argument("--since", help="with --all-failed: started at or after (ISO 8601 or 30m, 6h, 2d)")
    add_backend_options(again)
    again.set_defaults(func=redrive)

    replay = subparsers.add_parser(
        "reprocess", help="re-validate a source's dead letters and publish what passes"
    )
    replay.add_argument("source", help="source id")
    replay.add_argument("--dry-run", action="store_true", help="count what would pass; change nothing")
    replay.add_argument("--max-events", type=int, help="examine at most this many dead letters")
    add_backend_options(replay)
    replay.set_defaults(func=reprocess)

    dead = subparsers.add_parser("deadletters", help="dead letters of a source: counts by reason, samples")
    dead_verbs = dead.add_subparsers(dest="verb", required=True, metavar="VERB")
    counts = dead_verbs.add_parser("list", help="counts by reason")
    counts.add_argument("source", help="source id")
    add_backend_options(counts)
    counts.set_defaults(func=deadletters_list)
    samples = dead_verbs.add_parser("show", help="sample dead letters with their reason and raw event")
    samples.add_argument("source", help="source id")
    samples.add_argument("--reason", help="only this error kind (e.g. schema_invalid)")
    samples.add_argument("--limit", type=int, default=5, help="how many (default 5)")
    add_backend_options(samples)
    samples.set_defaults(func=deadletters_show)
