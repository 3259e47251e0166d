"""Process-page cost in CPU instructions per event (valgrind's callgrind): a figure the machine's noise
cannot move.

``process_page.py`` measures events/s, which on a shared virtual machine drifts by a third from one
run to the next (steal time, frequency). Instructions are counted, not timed: the same code, inputs
and interpreter give the same count whatever else the machine does. Each path runs in a child process
under callgrind twice, once with the set-up alone and once with the set-up plus N pages; the
difference over N x 1,000 events is the path's instructions per event. The paths are
``process_page.py``'s (same functions, same Okta pages, IP caches emptied, heap frozen after set-up).

Usage (from the repository root; needs valgrind, ~3 minutes)::

    .venv/bin/python benchmarks/process_page_instructions.py
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from _bench import OKTA, okta_page_body, table
from eventframework.definitions import load_source
from process_page import MemoryQueue, Naive, cold, fast_page, fast_records

PATHS = {"fast": 2, "fast, page parsed": 2, "naive": 1}  # pages per measured run
COLLECTED = re.compile(r"Collected : (\d+)")


def child(path: str, pages: int) -> None:
    """Set up, then run ``pages`` pages of ``path`` (0: the set-up alone)."""
    definition = load_source(OKTA)
    # the same set-up whatever ``pages`` is, so the difference of two runs is the pages' work alone
    bodies = [okta_page_body(1000, first=1000 * i) for i in range(max(PATHS.values()))]
    parsed = [json.loads(body) for body in bodies]
    naive = Naive(definition)
    fast_page(definition, okta_page_body(5, first=99_000), MemoryQueue())
    naive.page(okta_page_body(5, first=99_000), MemoryQueue())
    gc.freeze()
    for index in range(pages):
        if path == "fast":
            fast_page(definition, cold(bodies)[index], MemoryQueue())
        elif path == "fast, page parsed":
            fast_records(definition, cold(parsed)[index], MemoryQueue())
        else:
            naive.page(cold(bodies)[index], MemoryQueue())


def instructions(path: str, pages: int) -> int:
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    argv += ["--child", path, str(pages)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    match = COLLECTED.search(result.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no count for {path}: {result.stderr[-500:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("PATH", "PAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    rows = []
    per_event: dict[str, float] = {}
    for path, pages in PATHS.items():
        spent = instructions(path, pages) - instructions(path, 0)
        per_event[path] = spent / (1000 * pages)
        rows.append([path, 1000 * pages, per_event[path]])
    print(f"process_page_instructions: {Path(sys.executable).name}, valgrind callgrind, PYTHONHASHSEED=0")
    print(table(["path", "events", "instructions/event"], rows))
    print(f"naive / fast, page parsed: {per_event['naive'] / per_event['fast, page parsed']:.1f}x")


if __name__ == "__main__":
    main()
