"""`efw fingerprints` and `efw reprocess-changed`: reprocess what a deploy changed, from the pipeline.

The build writes the fingerprints of the sources it packaged (`efw fingerprints --out FILE`); after a
deploy, `efw reprocess-changed --stack NAME --fingerprints FILE [--dry-run]` reprocesses the dead
letters of exactly the sources whose fingerprint differs from the stack's record, waits for each
execution and prints what was republished and what still fails. Without --stack it acts on the local
state directory, with fingerprints of the working tree's sources, like the other operator commands.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventframework.local.commands.ops import add_backend_options, backend, emit, quietly, short_cause, table

if TYPE_CHECKING:
    from eventframework.local.changes.records import FingerprintRecord
    from eventframework.local.changes.runner import ChangedRun
    from eventframework.local.commands.ops import Ops

COUNTS = ("examined", "published", "would_publish", "already_published", "still_failing",
          "held_by_another_run")  # fmt: skip


def fingerprints(args: argparse.Namespace) -> int:
    from eventframework.local.changes.fingerprints import fingerprints as computed
    from eventframework.local.changes.fingerprints import fingerprints_text

    values = computed()
    if args.out:
        args.out.write_text(fingerprints_text(values), encoding="utf-8")
        print(f"wrote the fingerprints of {len(values)} sources to {args.out}", file=sys.stderr)
    else:
        print(fingerprints_text(values), end="")
    return 0


def _record(args: argparse.Namespace, ops: Ops) -> FingerprintRecord:
    from eventframework.local.changes.records import FileRecord, SsmRecord, parameter_name
    from eventframework.local.ops.aws_ops import AwsOps

    if isinstance(ops, AwsOps):
        return SsmRecord(ops.session.client("ssm"), parameter_name(args.stack, args.dry_run))
    return FileRecord.in_state_dir(args.state_dir, args.dry_run)


def render(outcome: ChangedRun) -> str:
    mode = "dry run: nothing is published or changed" if outcome.dry_run else "republishing"
    lines = [
        f"{len(outcome.runs)} source(s) to reprocess, {outcome.unchanged} unchanged ({mode}); "
        f"record {outcome.record}"
    ]
    if not outcome.runs:
        return lines[0]
    shown = [key for key in COUNTS if any(run.report.totals.get(key) for run in outcome.runs)] or ["examined"]
    rows = [
        (run.source, run.reason.value, run.report.status, *(run.report.totals.get(key, 0) for key in shown))
        for run in outcome.runs
    ]
    headers = ("SOURCE", "WHY", "STATUS", *(key.replace("_", " ").upper() for key in shown))
    lines += ["", table(headers, rows), ""]
    for run in outcome.runs:
        lines.append(f"{run.source}: {run.report.execution}")
        if run.report.error:
            lines.append(f"  failed: {run.report.error}: {short_cause(run.report.cause)}")
        elif run.report.totals.get("still_failing"):
            lines.append(f"  still failing: efw deadletters show {run.source} (fix, deploy, and it reruns)")
        if run.source in outcome.capped():
            lines.append(f"  stopped at {outcome.cap} dead letters; for the rest: efw reprocess {run.source}")
    return "\n".join(lines)


def reprocess_changed(args: argparse.Namespace) -> int:
    from eventframework.local.changes.fingerprints import fingerprints as computed
    from eventframework.local.changes.fingerprints import read_fingerprints
    from eventframework.local.changes.runner import reprocess_changed as run

    ops = backend(args)
    current = read_fingerprints(args.fingerprints) if args.fingerprints else computed()
    record = _record(args, ops)
    outcome: ChangedRun = quietly(
        args,
        lambda: run(ops, record, current, dry_run=args.dry_run, max_events=args.max_events),
    )
    data: dict[str, Any] = {
        "dry_run": outcome.dry_run,
        "record": outcome.record,
        "unchanged": outcome.unchanged,
        "capped": outcome.capped(),
        "sources": [{"source": r.source, "reason": r.reason.value, **asdict(r.report)} for r in outcome.runs],
    }
    emit(args, data, render(outcome))
    # Only a reprocess that failed fails the step. Events that still fail validation are not a
    # deploy failure: they stay in the dead-letter store with their new reason (nothing is lost),
    # a retry would not change them, and failing here would stop the prod deploy over data a later
    # schema fix recovers; the report and the source's dead-letters alarm make them visible.
    return 0 if outcome.succeeded else 1


def register(subparsers: Any) -> None:
    prints = subparsers.add_parser(
        "fingerprints", help="per-source fingerprints of schema and mapping (the build step writes them)"
    )
    prints.add_argument("--out", type=Path, help="write to this file (default: standard output)")
    prints.set_defaults(func=fingerprints)

    changed = subparsers.add_parser(
        "reprocess-changed",
        help="reprocess the sources whose schema or mapping changed since the stack's last reprocess",
    )
    changed.add_argument("--dry-run", action="store_true", help="count what would pass; change nothing")
    changed.add_argument(
        "--fingerprints",
        type=Path,
        help="fingerprints of the deployed sources (efw fingerprints); default: the working tree's",
    )
    changed.add_argument("--max-events", type=int, help="examine at most this many dead letters per source")
    add_backend_options(changed)
    changed.set_defaults(func=reprocess_changed)
