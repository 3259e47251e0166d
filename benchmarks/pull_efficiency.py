"""Pull efficiency: ``efw run`` (local engine, MozDef queue a file) against a requests+json floor.

The sandbox Okta API runs in its own process over HTTPS on loopback (self-signed certificate, pages
of 1,000, Link-header pagination). For each event count, rounds alternate (a) the floor script
``benchmarks/pull_floor.py`` and (b) ``efw run okta-system-log`` with a fresh state
directory, each a fresh process timed from spawn to exit; the best round of each is kept. The efw
figure is also given for the executions alone (engine start to stop, from the execution records),
which leaves out the CLI's fixed start-up (imports, template, embedded emulator).

Usage (from the repository root)::

    .venv/bin/python benchmarks/pull_efficiency.py                    # 10k and 100k events, 1 round
    .venv/bin/python benchmarks/pull_efficiency.py --events 10000 --rounds 3
    .venv/bin/python benchmarks/pull_efficiency.py --quick            # 2k events, 1 round
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from _bench import (
    SandboxProcess,
    api_latency_seconds,
    execution_seconds,
    load_average,
    run_efw,
    run_floor,
    step_seconds,
    table,
)

BREAKDOWN: list[list[Any]] = []


def measure(events: int, rounds: int, workdir: Path) -> list[Any]:
    floor_best = efw_best = exec_best = float("inf")
    published = floor_events = 0
    with SandboxProcess(events) as sandbox:
        for index in range(rounds):
            floor = run_floor(sandbox, workdir)
            floor_events = floor.json()["events"]
            floor_best = min(floor_best, floor.seconds)
            efw = run_efw(sandbox, workdir, tag=f"eff-{events}-{index}")
            summary = efw.json()
            published = summary["totals"]["published"]
            efw_best = min(efw_best, efw.seconds)
            exec_best = min(exec_best, execution_seconds(workdir / f"state-eff-{events}-{index}"))
        BREAKDOWN.extend(breakdown(events, floor.json(), workdir / f"state-eff-{events}-{index}"))
    return [
        events,
        floor_events,
        floor_events / floor_best,
        published,
        published / efw_best,
        published / exec_best,
        (published / efw_best) / (floor_events / floor_best),
        (published / exec_best) / (floor_events / floor_best),
    ]


def breakdown(events: int, floor: dict[str, Any], state_dir: Path) -> list[list[Any]]:
    """Milliseconds per page of the last round: the floor's request, parse and write, and the time
    efw spends in each state of the pull machine (FetchPage's own vendor request time shown apart)."""
    floor_pages = max(floor["pages"], 1)
    rows: list[list[Any]] = [
        [events, "floor", what, 1000 * floor[what] / floor_pages] for what in ("http", "parse", "write")
    ]
    spans = step_seconds(state_dir)
    pages = max(len(spans.get("Fetch page", [])), 1)
    latency = api_latency_seconds(state_dir)
    rows.append([events, "efw", "Fetch page: vendor request", 1000 * sum(latency) / pages])
    for name, seconds in sorted(spans.items(), key=lambda item: -sum(item[1])):
        rows.append([events, "efw", name, 1000 * sum(seconds) / pages])
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per size, best kept")
    parser.add_argument("--quick", action="store_true", help="2,000 events, one round")
    args = parser.parse_args(argv)
    sizes, rounds = ([2000], 1) if args.quick else (args.events, args.rounds)
    print(f"pull_efficiency: sizes {sizes}, {rounds} round(s); {load_average()}")
    with tempfile.TemporaryDirectory(prefix="efw-bench-") as tmp:
        rows = [measure(size, rounds, Path(tmp)) for size in sizes]
    headers = ["events", "floor got", "floor ev/s", "efw published", "efw ev/s (process)"]
    headers += ["efw ev/s (executions)", "ratio (process)", "ratio (executions)"]
    print(table(headers, rows))
    print("\nWhere a page's time goes (last round; ms per page, all states, whole run / pages):")
    print(table(["events", "who", "step", "ms per page"], BREAKDOWN))


if __name__ == "__main__":
    main()
