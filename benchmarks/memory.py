"""Peak memory of a pull as the event count grows: is it flat (pages streamed, never accumulated)?

For each size, ``efw run okta-system-log`` runs in a fresh process with a fresh state directory
against the sandbox (its own process, HTTPS); the peak RSS is that child's own ``ru_maxrss`` from
``os.wait4``. The target: flat within 10% from the smallest to the largest size.

Usage (from the repository root)::

    .venv/bin/python benchmarks/memory.py                          # 10k, 30k, 100k events
    .venv/bin/python benchmarks/memory.py --events 10000 100000 1000000
    .venv/bin/python benchmarks/memory.py --quick                  # 2k and 6k events
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _bench import SandboxProcess, load_average, run_efw, table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="2,000 and 6,000 events")
    args = parser.parse_args(argv)
    sizes = [2000, 6000] if args.quick else args.events
    print(f"memory: sizes {sizes}; {load_average()}")
    rows = []
    baseline = None
    with tempfile.TemporaryDirectory(prefix="efw-bench-") as tmp:
        for size in sizes:
            with SandboxProcess(size) as sandbox:
                run = run_efw(sandbox, Path(tmp), tag=f"mem-{size}")
            published = run.json()["totals"]["published"]
            baseline = baseline or run.peak_rss_mb
            growth = f"{run.peak_rss_mb / baseline - 1:+.1%}"
            rows.append([size, published, run.seconds, run.peak_rss_mb, growth])
    print(table(["events", "published", "seconds", "peak RSS MB", "vs smallest"], rows))


if __name__ == "__main__":
    main()
