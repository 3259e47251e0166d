"""Peers: the plain requests+json loop, HashiCorp Grove and ``efw run``, whole process, side by side.

For each event count a fresh sandbox Okta System Log API runs in its own process over HTTPS on
loopback (``_sandbox_server.py``: self-signed certificate, every event ingested in the last 30
minutes, ``Link: rel="next"`` pagination, on an empty polling page a next link equal to the request's
own URL, as Okta sends; seed 7). Each round runs every tool once, one after the other, each a fresh
process timed from spawn to exit:

1. plain loop: ``pull_floor.py`` (one requests session, json, a JSON-lines file), against the sandbox;
2. Grove 2.2.0 (the ``grove`` package in its own virtualenv ``.venv/grove``, created and installed on
   first use), run through its own ``grove`` entrypoint: the ``okta_system_log`` connector with the
   ``local_file`` config, secrets, cache and output handlers, against the sandbox (see ``grove_setup``);
   it stops by itself on the sandbox's end-of-stream page (next link = self link);
3. ``efw run okta-system-log --events N --template template.yaml --json`` in a fresh temporary
   directory: what a user runs, with its defaults (its own embedded sandbox of N events, seed 7,
   state in ``./.efw``, delivery into ``./efw-out/okta-system-log.jsonl``);
4. the same with ``--base-url <sandbox> --token-env <var>``: ``efw run`` against the same sandbox
   process as rows 1 and 2 (its CA reaches it through ``REQUESTS_CA_BUNDLE``), same API as the peers.

What each tool wrote is counted afterwards (distinct Okta ``uuid`` for the raw pulls, delivered lines
for efw), so a run that fetched nothing cannot pass for a fast one. Every child is killed (its
process group) if it runs longer than 120 s + 10 ms per event, and that fails the benchmark. Of
``--rounds`` rounds the fastest run of each tool is kept; a last table gives efw's events/s over
Grove's and over the plain loop's round by round (median and range), the figure the machine's drift
between rounds cannot bias.

Usage (from the repository root)::

    .venv/bin/python benchmarks/peers.py                          # 10k and 100k events, one round
    .venv/bin/python benchmarks/peers.py --events 10000 100000 --rounds 2
    .venv/bin/python benchmarks/peers.py --quick                  # 2k events, one round
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import gzip
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _bench import OKTA, PYTHON, ROOT, TOKEN_ENV, SandboxProcess, execution_seconds, load_average, table

SEED = 7  # the sandbox seed (also `efw run`'s default)
GROVE_VERSION = "2.2.0"
GROVE_VENV = ROOT / ".venv" / "grove"
GROVE_PYTHON = GROVE_VENV / "bin" / "python"
EFW = Path(PYTHON).parent / "efw"


@dataclass
class Run:
    """One tool's pull: whole-process seconds, what it wrote, and where its time went."""

    tool: str
    events: int
    seconds: float
    collected: int
    notes: list[str] = field(default_factory=list)
    pulling: float | None = None  # the tool's own measure of its pull, without start-up and exit


def run_bounded(
    argv: list[str], env: dict[str, str], work: Path, name: str, events: int
) -> tuple[float, str]:
    """Run ``argv`` in ``work`` to exit: (wall seconds, stdout). Its stderr goes to ``work/<name>.log``;
    its process group is killed after 120 s + 10 ms per event. A timeout or non-zero exit raises."""
    fired = threading.Event()

    def kill(pid: int) -> None:
        fired.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    stderr = work / f"{name}.log"
    with tempfile.TemporaryFile("w+") as out, stderr.open("w") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=work, start_new_session=True)
        watchdog = threading.Timer(120 + events / 100, kill, [process.pid])
        watchdog.start()
        try:
            _, status = os.waitpid(process.pid, 0)  # no polling delay in the measure
        finally:
            watchdog.cancel()
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    code = os.waitstatus_to_exitcode(status)
    if fired.is_set() or code != 0:
        state = "timed out" if fired.is_set() else f"exited {code}"
        tail = stderr.read_text(errors="replace")[-2000:] or text[-2000:]
        raise RuntimeError(f"{name} {state} after {seconds:.1f} s: {tail}")
    return seconds, text


def count_okta(lines: Iterable[bytes]) -> tuple[int, int]:
    """(records, distinct Okta event uuids) of JSON records, one per item."""
    count, uuids = 0, set()
    for line in lines:
        if line.strip():
            count += 1
            uuids.add(json.loads(line)["uuid"])
    return count, len(uuids)


# --- 1. the plain loop ---------------------------------------------------------------------------


def run_plain(sandbox: SandboxProcess, work: Path, events: int) -> Run:
    out = work / "plain.jsonl"
    argv = [
        PYTHON,
        str(ROOT / "benchmarks" / "pull_floor.py"),
        sandbox.base_url,
        "--ca-file",
        sandbox.ca_file,
    ]
    argv += ["--out", str(out), "--token-env", TOKEN_ENV]
    seconds, stdout = run_bounded(argv, sandbox.env(), work, "pull_floor", events)
    summary = json.loads(stdout)
    lines, distinct = count_okta(out.open("rb"))
    run = Run("plain loop (requests + json)", events, seconds, distinct, pulling=summary["seconds"])
    run.notes.append(f"{summary['pages']} requests, {lines:,} lines, {distinct:,} distinct uuids")
    return run


# --- 2. Grove ------------------------------------------------------------------------------------


def grove_version() -> str | None:
    if not GROVE_PYTHON.exists():
        return None
    probe = [str(GROVE_PYTHON), "-c", "import importlib.metadata as m; print(m.version('grove'))"]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_grove() -> str:
    """Grove in its own virtualenv, created and installed from the configured package index once."""
    if not GROVE_PYTHON.exists():
        python3 = shutil.which("python3") or PYTHON
        print(f"creating {GROVE_VENV} ({python3} -m venv)", flush=True)
        subprocess.run([python3, "-m", "venv", str(GROVE_VENV)], check=True, timeout=300)
    if grove_version() != GROVE_VERSION:
        print(f"installing grove=={GROVE_VERSION} into {GROVE_VENV}", flush=True)
        pip = [str(GROVE_PYTHON), "-m", "pip", "install", "--quiet", f"grove=={GROVE_VERSION}"]
        subprocess.run(pip, check=True, timeout=1800)
    version = grove_version()
    if version != GROVE_VERSION:
        raise RuntimeError(f"grove {GROVE_VERSION} not importable from {GROVE_PYTHON} (found {version})")
    return version


def grove_setup(sandbox: SandboxProcess, root: Path) -> dict[str, str]:
    """A fresh Grove deployment in ``root`` for the sandbox; returns the process environment.

    Grove's Okta client calls ``https://{identity}.{domain}/api/v1/logs``, so identity ``127`` and
    domain ``0.0.1:PORT`` name the sandbox (its Link headers then pass Grove's same-host check). A first
    run asks for ``since`` = now - 7 days, ``sortOrder=ASCENDING``, ``limit=1000``, then follows
    ``rel="next"`` until a reply's next link equals its self link: every sandbox event. The token comes
    through the local-file secrets handler; the sandbox's CA reaches requests through
    REQUESTS_CA_BUNDLE (Grove calls ``requests.get`` without ``verify``).
    """
    url = urlsplit(sandbox.base_url)
    identity, domain = str(url.hostname).split(".", 1)
    dirs = {name: root / name for name in ("config", "secrets", "cache", "output")}
    for path in dirs.values():
        path.mkdir(parents=True)
    (dirs["secrets"] / "okta-token").write_text(sandbox.token)
    connector = {
        "name": "okta-sandbox",
        "connector": "okta_system_log",
        "identity": identity,
        "domain": f"{domain}:{url.port}",
        "secrets": {"key": "okta-token"},
    }
    (dirs["config"] / "okta_system_log.json").write_text(json.dumps(connector, indent=2))
    env = {**sandbox.env(), "GROVE_CONFIG_LOCAL_FILE_PATH": str(dirs["config"])}
    env["GROVE_SECRET_LOCAL_FILE_PATH_PREFIX"] = str(dirs["secrets"])
    env["GROVE_CACHE_LOCAL_FILE_PATH"] = str(dirs["cache"])
    env["GROVE_OUTPUT_LOCAL_FILE_PATH"] = str(dirs["output"])
    for kind in ("CONFIG", "SECRET", "CACHE", "OUTPUT"):
        env[f"GROVE_{kind}_HANDLER"] = "local_file"
    return env


def grove_records(output: Path) -> Iterable[bytes]:
    """Every record Grove's local-file output wrote: gzipped NDJSON, one file per page, CRLF-separated."""
    for path in sorted(output.rglob("*.json.gz")):
        yield from gzip.decompress(path.read_bytes()).split(b"\r\n")


def grove_log(stderr: Path) -> list[dict[str, Any]]:
    """Grove's JSON log records (one per line on stderr); the timestamp as epoch seconds in ``at``."""
    records = []
    for line in stderr.read_text(errors="replace").splitlines():
        with contextlib.suppress(KeyError, TypeError, ValueError):  # not a JSON log record
            record = json.loads(line)
            record["at"] = datetime.strptime(record["timestamp"], "%Y-%m-%d %H:%M:%S,%f%z").timestamp()
            records.append(record)
    return records


def run_grove(sandbox: SandboxProcess, work: Path, events: int) -> Run:
    env = grove_setup(sandbox, work / "grove")
    seconds, _ = run_bounded([str(GROVE_VENV / "bin" / "grove")], env, work, "grove", events)
    lines, distinct = count_okta(grove_records(work / "grove" / "output"))
    log = grove_log(work / "grove.log")
    messages = [str(record.get("message", "")) for record in log]
    files = len(list((work / "grove" / "output").rglob("*.json.gz")))
    run = Run(f"Grove {GROVE_VERSION} (okta_system_log, local_file)", events, seconds, distinct)
    run.notes.append(
        f"{files} output files (one per page), {lines:,} records, {distinct:,} distinct uuids, "
        f"{messages.count('No log entries to save, skipping.')} empty pages, exited by itself"
    )
    problems = [record for record in log if record.get("level") in ("ERROR", "CRITICAL")]
    run.notes += [f"grove {p['level']}: {p.get('message')} {p.get('detail', '')}"[:300] for p in problems]
    started = [r["at"] for r, m in zip(log, messages, strict=True) if m == "Grove started"]
    finished = [
        r["at"] for r, m in zip(log, messages, strict=True) if m.startswith("All connectors have exited")
    ]
    if started and finished:
        run.pulling = finished[0] - started[0]
    return run


# --- 3 and 4. efw run ----------------------------------------------------------------------------


def run_efw(work: Path, events: int, sandbox: SandboxProcess | None) -> Run:
    """``efw run`` in a fresh directory ``work`` (default state and output places): against its own
    embedded sandbox of ``events`` events, or, given ``sandbox``, against that process."""
    argv = [
        str(EFW),
        "run",
        OKTA,
        "--events",
        str(events),
        "--template",
        str(ROOT / "template.yaml"),
        "--json",
    ]
    env = dict(os.environ)
    tool = "efw run (defaults, its own sandbox)"
    if sandbox is not None:
        argv += ["--base-url", sandbox.base_url, "--token-env", TOKEN_ENV]
        env = sandbox.env()
        tool = "efw run --base-url (same sandbox)"
    seconds, stdout = run_bounded(argv, env, work, "efw", events)
    summary = json.loads(stdout)
    with (work / "efw-out" / f"{OKTA}.jsonl").open("rb") as lines:
        delivered = sum(1 for line in lines if line.strip())
    run = Run(tool, events, seconds, delivered, pulling=execution_seconds(work / ".efw"))
    run.notes.append(f"summary published {summary['totals']['published']:,}, {delivered:,} lines delivered")
    return run


# --- the table -----------------------------------------------------------------------------------


@dataclass
class Measured:
    """One size: the fastest run of each tool, and every round's whole-process seconds by tool."""

    best: list[Run]
    rounds: list[dict[str, float]]

    def paired(self, tool: str, yardstick: str) -> list[float]:
        """Events/s of `tool` over `yardstick`'s, round by round (each pair ran back to back, so a
        drift of the machine's speed between rounds moves both)."""
        return [seconds[yardstick] / seconds[tool] for seconds in self.rounds]


def measure(events: int, rounds: int, tmp: Path) -> Measured:
    """Best of ``rounds`` rounds for each tool (fewest whole-process seconds); each round runs them all."""
    best: dict[str, Run] = {}
    per_round: list[dict[str, float]] = []
    with SandboxProcess(events, SEED) as sandbox:  # idle while efw (defaults) pulls its own sandbox
        tools: list[tuple[str, Callable[[Path], Run]]] = [
            ("plain", lambda work: run_plain(sandbox, work, events)),
            ("grove", lambda work: run_grove(sandbox, work, events)),
            ("efw", lambda work: run_efw(work, events, None)),
            ("efw-base-url", lambda work: run_efw(work, events, sandbox)),
        ]
        for index in range(rounds):
            print(f"{events:,} events, round {index + 1} ({load_average()})", flush=True)
            per_round.append({})
            for tag, make in tools:
                work = tmp / f"{tag}-{events}-{index}"
                work.mkdir()
                try:
                    run = make(work)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                print(
                    f"  {run.tool}: {run.collected:,} events in {run.seconds:.2f} s; " + "; ".join(run.notes)
                )
                per_round[-1][tag] = run.seconds
                if run.tool not in best or run.seconds < best[run.tool].seconds:
                    best[run.tool] = run
    return Measured(list(best.values()), per_round)


def spread(ratios: list[float]) -> str:
    """`median (min-max)` of per-round ratios."""
    ordered = sorted(ratios)
    return f"{statistics.median(ordered):.2f} ({ordered[0]:.2f}-{ordered[-1]:.2f})"


def tree_state() -> str:
    """The commit measured, and whether the working tree differs from it (efw runs from the tree)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, check=False)
    changed = len(dirty.stdout.splitlines())
    return head.stdout.strip() + (f" + {changed} changed/untracked paths" if changed else "")


def compile_project() -> None:
    """Write the project's bytecode, as pip did for Grove when it installed it: an editable install
    leaves that to the first import, which never writes it where PYTHONDONTWRITEBYTECODE is set, and
    every efw run would then compile ~190 modules (~0.3 s) that Grove's runs do not."""
    compileall.compile_dir(ROOT / "functions", quiet=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds per size, the fastest run of each tool kept"
    )
    parser.add_argument("--quick", action="store_true", help="2,000 events, one round")
    args = parser.parse_args(argv)
    sizes, rounds = ([2000], 1) if args.quick else (args.events, args.rounds)
    version = ensure_grove()
    compile_project()
    print(f"peers: sizes {sizes}, {rounds} round(s); grove {version}")
    print(f"{load_average()}; python {sys.version.split()[0]}; tree {tree_state()}")
    rows: list[list[Any]] = []
    split: list[list[Any]] = []
    paired: list[list[Any]] = []
    with tempfile.TemporaryDirectory(prefix="efw-peers-") as tmp:
        for size in sizes:
            measured = measure(size, rounds, Path(tmp))
            runs = measured.best
            paired.append(
                [
                    size,
                    rounds,
                    spread(measured.paired("efw", "grove")),
                    spread(measured.paired("efw-base-url", "grove")),
                    spread(measured.paired("efw", "plain")),
                ]
            )
            plain = runs[0].collected / runs[0].seconds
            for run in runs:
                rate = run.collected / run.seconds
                rows.append([run.tool, run.events, run.collected, run.seconds, rate, rate / plain])
                if run.pulling is not None:
                    split.append([run.tool, run.events, run.seconds, run.pulling, run.seconds - run.pulling])
    headers = [
        "tool",
        "events",
        "events collected",
        "seconds (whole process)",
        "events/s",
        "ratio vs plain loop",
    ]
    print()
    print(table(headers, rows))
    print("\nWhere the whole process goes (seconds; 'pulling' is each tool's own measure: the floor's")
    print("timer, Grove's 'Grove started' to 'All connectors have exited' log lines, efw's executions;")
    print("the rest is interpreter start-up, imports, set-up and exit):")
    print(table(["tool", "events", "whole process", "pulling", "rest"], split))
    print("\nRound by round (each tool ran back to back in a round), events/s of efw over its yardstick,")
    print("median (min-max) over the rounds:")
    print(
        table(
            [
                "events",
                "rounds",
                "efw (defaults) / Grove",
                "efw --base-url / Grove",
                "efw (defaults) / plain",
            ],
            paired,
        )
    )


if __name__ == "__main__":
    main()
