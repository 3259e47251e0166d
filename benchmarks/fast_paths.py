"""Are the two fast paths worth keeping? A whole `efw run` with each switched off, side by side.

ProcessPage has two accelerators beside its reference code: the generated per-source builder
(`process/fused.py`, the mapping compiled into one function) and the Rust raw-schema check
(jsonschema-rs in `process/fastpath.py`, before the reference fastjsonschema validator). Each is kept
only if the pull as a whole is measurably faster with it. This script runs the embedded default pull
(`efw run`, a fresh state directory each time) as is, without the builder and without the Rust
check, in turn (A B C A B C ...), and reports each variant's median wall time and its ratio to the
full product measured pair by pair. Switching a path off goes through the product's own fallbacks:
the builder's absence is what a hook-driven source gets, the Rust check's absence what a machine
without the wheel gets.

Usage (from the repository root)::

    .venv/bin/python benchmarks/fast_paths.py                 # 20,000 events, 5 rounds
    .venv/bin/python benchmarks/fast_paths.py --quick         # 5,000 events, 3 rounds
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _bench import PYTHON, ROOT, load_average, run_child, table

VARIANTS = ("product", "no-builder", "no-rust-check")


def _child(variant: str) -> None:
    """In the child: switch the variant's path off through its fallback, then run the CLI."""
    if variant == "no-builder":
        from eventframework.process import page

        page.compile_builder = lambda *_args: None  # type: ignore[assignment]
    elif variant == "no-rust-check":
        sys.modules["jsonschema_rs"] = None  # type: ignore[assignment]  # the ImportError fallback
    from eventframework.local.cli import main

    sys.exit(main(sys.argv[3:]))


def _run(variant: str, events: int, workdir: Path) -> float:
    state = workdir / variant
    argv = [
        PYTHON,
        __file__,
        "--child",
        variant,
        "run",
        "okta-system-log",
        "--template",
        str(ROOT / "template.yaml"),
    ]
    argv += [
        "--state-dir",
        str(state / "s"),
        "--out",
        str(state / "o.jsonl"),
        "--events",
        str(events),
        "--json",
    ]
    shutil.rmtree(state, ignore_errors=True)
    return run_child(argv, dict(os.environ)).seconds


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="5,000 events, 3 rounds")
    args = parser.parse_args()
    events, rounds = (5000, 3) if args.quick else (args.events, args.rounds)
    print(f"fast paths: efw run, {events} events, {rounds} rounds; {load_average()}")
    seconds: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="efw-fast-") as tmp:
        for variant in VARIANTS:  # one warm-up each (page cache, bytecode)
            _run(variant, events, Path(tmp))
        for _ in range(rounds):
            for variant in VARIANTS:
                seconds[variant].append(_run(variant, events, Path(tmp)))
    rows = []
    for variant in VARIANTS:
        ratios = [a / b for a, b in zip(seconds["product"], seconds[variant], strict=True)]
        rows.append(
            [
                variant,
                statistics.median(seconds[variant]),
                statistics.median(ratios),
                min(ratios),
                max(ratios),
            ]
        )
    print(table(["variant", "median wall s", "product / variant (median)", "min", "max"], rows))


if __name__ == "__main__":
    main()
