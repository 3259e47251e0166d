"""Helpers the benchmarks share: CPU pinning, Okta-shaped pages, timing, tables. Not product code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
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


# --- local pulls in subprocesses -------------------------------------------------------------------


class SandboxProcess:
    """The sandbox Okta API (HTTPS, self-signed) in its own process, for ``events`` events."""

    def __init__(self, events: int, seed: int = 7, history_seconds: int = 1800) -> None:
        script = str(ROOT / "benchmarks" / "_sandbox_server.py")
        self.process = subprocess.Popen(
            [PYTHON, script, str(events), str(seed), str(history_seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        info = json.loads(self.process.stdout.readline())
        self.base_url: str = info["base_url"]
        self.token: str = info["token"]
        self.ca_file: str = info["ca_file"]

    def env(self) -> dict[str, str]:
        return {**os.environ, TOKEN_ENV: self.token, "REQUESTS_CA_BUNDLE": self.ca_file}

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


TOKEN_ENV = "EFW_BENCH_TOKEN"


@dataclass
class ChildRun:
    """One measured child process: wall seconds, peak RSS (its own, from wait4), what it printed."""

    seconds: float
    peak_rss_mb: float
    stdout: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_child(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> ChildRun:
    """Run ``argv`` to completion; its peak RSS comes from wait4, so it is that child's alone."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{argv[:3]} exited {process.returncode}: {text[-2000:]}")
    return ChildRun(seconds, usage.ru_maxrss / 1024, text)


def run_floor(sandbox: SandboxProcess, workdir: Path) -> ChildRun:
    argv = [PYTHON, str(ROOT / "benchmarks" / "pull_floor.py"), sandbox.base_url]
    argv += ["--ca-file", sandbox.ca_file, "--out", str(workdir / "floor.jsonl"), "--token-env", TOKEN_ENV]
    return run_child(argv, sandbox.env())


def run_efw(
    sandbox: SandboxProcess, workdir: Path, tag: str = "run", backfill_since: str | None = None
) -> ChildRun:
    """``efw run`` against the sandbox with a fresh state directory (a first, full pull), or, with
    ``backfill_since``, ``efw backfill --since`` on the state directory a run left."""
    state = workdir / f"state-{tag}"
    command = ["run"] if backfill_since is None else ["backfill", "--since", backfill_since]
    if backfill_since is None:
        shutil.rmtree(state, ignore_errors=True)
    argv = [str(Path(PYTHON).parent / "efw"), *command, OKTA, "--template", str(ROOT / "template.yaml")]
    argv += ["--base-url", sandbox.base_url, "--token-env", TOKEN_ENV, "--json"]
    argv += ["--state-dir", str(state), "--out", str(workdir / f"efw-{tag}.jsonl")]
    return run_child(argv, sandbox.env(), cwd=workdir)


def executions_of(state_dir: Path) -> list[dict[str, Any]]:
    """The execution records (Execution.to_dict()) a local run left in its state directory."""
    return [json.loads(path.read_text()) for path in sorted((state_dir / "executions").glob("*.json"))]


def execution_seconds(state_dir: Path) -> float:
    """Engine time of a local run: the sum of its executions' start-to-stop spans (no CLI start-up)."""
    total = 0.0
    for record in executions_of(state_dir):
        start = datetime.fromisoformat(record["startDate"].replace("Z", "+00:00"))
        stop = datetime.fromisoformat(record["stopDate"].replace("Z", "+00:00"))
        total += (stop - start).total_seconds()
    return total


def step_seconds(state_dir: Path) -> dict[str, list[float]]:
    """Seconds spent in each state of a local run's executions (state entered to exited), by name."""
    spans: dict[str, list[float]] = {}
    for record in executions_of(state_dir):
        entered: dict[str, datetime] = {}
        for event in record["history"]:
            moment = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            if event["type"].endswith("StateEntered"):
                entered[event["stateEnteredEventDetails"]["name"]] = moment
            elif event["type"].endswith("StateExited"):
                name = event["stateExitedEventDetails"]["name"]
                if name in entered:
                    spans.setdefault(name, []).append((moment - entered.pop(name)).total_seconds())
    return spans


def api_latency_seconds(state_dir: Path) -> list[float]:
    """FetchPage's own measure of each vendor request (its ApiLatency metric, in the run's logs)."""
    latencies: list[float] = []
    for log in (state_dir / "logs").glob("*.log"):
        for line in log.read_text(encoding="utf-8").splitlines():
            if '"ApiLatency":[' in line:
                latencies += [value / 1000 for value in json.loads(line)["ApiLatency"]]
    return latencies
