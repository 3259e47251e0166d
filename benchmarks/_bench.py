"""Helpers the benchmarks share: CPU pinning, Okta-shaped pages, timing, tables. Not product code."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OKTA = "okta-system-log"


def pin_to_one_core(cpu: int | None = None) -> str:
    """Pin this process to one CPU (the last one by default), so figures are per core."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this OS)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return f"pinned to CPU {chosen}"


def okta_page_body(count: int, seed: int = 7, first: int = 0) -> bytes:
    """A page of ``count`` sandbox Okta System Log events (2-3 KB each), as the API returns it."""
    from eventframework.local.sandbox.okta_events import OktaEventFactory

    factory = OktaEventFactory(seed)
    base_ms = 1_700_000_000_000
    return json.dumps([factory(first + i, base_ms + (first + i) * 1000) for i in range(count)]).encode()


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run) over ``repeat`` runs of ``work``."""
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        work()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if wall < best_wall:
            best_wall, best_cpu = wall, cpu
    return best_wall, best_cpu


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table (also valid Markdown)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"
