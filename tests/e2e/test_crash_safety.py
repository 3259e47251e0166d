"""A local run killed at any instant, or stopped by a signal, then run again: every event exactly once.

Real `efw` processes against the sandbox Okta API the state directory keeps (DESIGN §5, §6): SIGKILL
at named points of a pull (tests/support/kill_at.py: between fetch and process, inside publish, at
the end of ProcessPage, between publish and checkpoint, during a rate-limit wait), SIGKILL at
seeded random instants (start-up, recovery and the final save included), and SIGINT/SIGTERM. Each
time the next plain `efw run` must finish the pull and the delivered-events file must then hold
every event of the source exactly once.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
KILL_AT = REPO / "tests" / "support" / "kill_at.py"
SOURCE = "okta-system-log"
EVENTS = 3000  # three full pages of 1,000 and an empty one: every kill point is reached
RUN_TIMEOUT = 180


def efw_run_argv(state: Path, out: Path, events: int = EVENTS) -> list[str]:
    return [
        *(sys.executable, "-m", "eventframework.local.cli", "run", SOURCE),
        *("--template", str(REPO / "template.yaml"), "--state-dir", str(state), "--out", str(out)),
        *("--events", str(events), "--new-events", "0"),
    ]


def efw_run(state: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        efw_run_argv(state, out),
        check=False,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=state.parent,
    )


def assert_every_event_once(state: Path, out: Path) -> None:
    total = json.loads((state / "sandbox" / f"{SOURCE}.json").read_text())["total"]
    ids = Counter(json.loads(line)["details"]["source_event_id"] for line in out.read_text().splitlines())
    twice = [event_id for event_id, seen in ids.items() if seen > 1]
    assert not twice, f"{len(twice)} events delivered more than once, e.g. {twice[:3]}"
    assert len(ids) == total, f"{total - len(ids)} of {total} events were never delivered"


def finish(state: Path, out: Path) -> str:
    """Run `efw run` to the end after a crash; return what it printed."""
    resumed = efw_run(state, out)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
    assert_every_event_once(state, out)
    return resumed.stdout


@pytest.mark.parametrize(
    "point",
    ["after-fetch:2", "in-publish:1500", "after-process:2", "before-checkpoint:2", "rate-limit-wait:2"],
)
def test_a_run_killed_at_a_step_then_run_again_delivers_every_event_once(tmp_path: Path, point: str) -> None:
    state, out = tmp_path / "state", tmp_path / "out.jsonl"
    killed = subprocess.run(
        [sys.executable, str(KILL_AT), str(state), str(out), str(EVENTS), point],
        check=False,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    printed = finish(state, out)
    assert "interrupted" in printed or "killed?" in printed, printed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_killed_at_random_instants_then_run_again_delivers_every_event_once(
    tmp_path: Path, seed: int
) -> None:
    state, out = tmp_path / "state", tmp_path / "out.jsonl"
    instants = random.Random(seed)
    for _ in range(3):
        run = subprocess.Popen(
            efw_run_argv(state, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path
        )
        try:
            run.wait(timeout=instants.uniform(0.3, 3.5))  # the kill instant: start-up to the end
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait(timeout=RUN_TIMEOUT)
    finish(state, out)


def wait_for_delivery(out: Path, run: subprocess.Popen[str], deadline: float) -> None:
    """Return once the run has delivered events (so it is inside the pull, past start-up)."""
    while not (out.exists() and out.stat().st_size > 0):
        assert run.poll() is None, "the run ended before it delivered anything"
        assert time.monotonic() < deadline, "no event delivered in time"
        time.sleep(0.02)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_at_a_step_and_the_next_run_resumes(
    tmp_path: Path, signum: signal.Signals, status: int
) -> None:
    state, out = tmp_path / "state", tmp_path / "out.jsonl"
    argv = efw_run_argv(state, out, events=20_000)
    run = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    wait_for_delivery(out, run, time.monotonic() + RUN_TIMEOUT)
    run.send_signal(signum)
    printed, errors = run.communicate(timeout=RUN_TIMEOUT)
    assert run.returncode == status, printed + errors[-3000:]
    assert "status          ABORTED" in printed, printed
    assert "run the same command again to resume" in printed, printed
    delivered = len(out.read_text().splitlines())
    assert 0 < delivered < 20_000, "stopped part-way, with what it delivered kept"
    finish(state, out)


def test_a_second_ctrl_c_exits_at_once_and_the_next_run_still_delivers_every_event_once(
    tmp_path: Path,
) -> None:
    state, out = tmp_path / "state", tmp_path / "out.jsonl"
    run = subprocess.Popen(
        efw_run_argv(state, out, events=20_000),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    wait_for_delivery(out, run, time.monotonic() + RUN_TIMEOUT)
    run.send_signal(signal.SIGINT)
    run.send_signal(signal.SIGINT)
    run.communicate(timeout=RUN_TIMEOUT)
    assert run.returncode == 130
    finish(state, out)
