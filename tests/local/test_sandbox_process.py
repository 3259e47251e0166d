"""The default sandbox of `efw run` in a child process: it serves the stream the in-process sandbox
would, keeps the same state across runs, ends with its run however the run ends, and a child that
cannot start is reported in words, not as a hang."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from tests.support.processes import gone

from eventframework.local import child_process
from eventframework.local.run import sandbox_process
from eventframework.local.run.sandbox_process import SandboxProcess, SandboxStartError
from eventframework.local.run.sandbox_state import SandboxStateError, open_sandbox

OKTA = "okta-system-log"
TOKEN = "child-sandbox-token"
TIMEOUT = 10.0


def _opened(state_dir: Path, *, events: int = 30, new_events: int = 0) -> SandboxProcess:
    return SandboxProcess().open(state_dir, OKTA, events=events, new_events=new_events, seed=7, token=TOKEN)


def _first_page(credentials: dict[str, str], limit: int = 10) -> tuple[list[Any], str]:
    """The sandbox's first Okta page since two hours ago (its whole history): events and next link."""
    since = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    response = requests.get(
        f"{credentials['base_url']}/api/v1/logs",
        params={"since": since, "limit": limit},
        headers={"Authorization": f"SSWS {credentials['token']}"},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return response.json(), response.links["next"]["url"]


def _port(credentials: dict[str, str]) -> int | None:
    return urlsplit(credentials["base_url"]).port


def test_the_child_serves_the_stream_the_in_process_sandbox_rebuilds_from_its_state(tmp_path: Path) -> None:
    process = SandboxProcess()
    assert process._child is not None
    assert TOKEN not in " ".join(map(str, process._child.args)), "the token is kept off the command line"
    credentials = process.open(tmp_path, OKTA, events=30, new_events=0, seed=7, token=TOKEN).credentials(OKTA)
    try:
        from_child = _first_page(credentials)
    finally:
        process.stop()
    in_process = open_sandbox(tmp_path, OKTA, events=30, new_events=0, seed=7, token=TOKEN)
    try:
        assert in_process.credentials(OKTA) == credentials  # same saved port, same token
        assert _first_page(in_process.credentials(OKTA)) == from_child
    finally:
        in_process.stop()
    assert len(from_child[0]) == 10


def test_a_second_run_on_the_state_dir_gets_the_same_port_and_the_new_events(tmp_path: Path) -> None:
    first = _opened(tmp_path, events=20, new_events=5)
    port = _port(first.credentials(OKTA))
    first.stop()
    second = _opened(tmp_path, events=20, new_events=5)
    try:
        assert _port(second.credentials(OKTA)) == port
        events, _ = _first_page(second.credentials(OKTA), limit=1000)
        assert len(events) == 25
    finally:
        second.stop()
    saved = json.loads((tmp_path / "sandbox" / f"{OKTA}.json").read_text(encoding="utf-8"))
    assert (saved["port"], saved["total"]) == (port, 25)


def test_the_child_stops_serving_and_exits_when_its_stdin_closes(tmp_path: Path) -> None:
    process = _opened(tmp_path)
    child = process._child
    assert child is not None
    credentials = process.credentials(OKTA)
    process.stop()
    process.stop()  # twice is harmless
    assert child.returncode == 0
    with pytest.raises(requests.ConnectionError):
        _first_page(credentials)


def test_a_child_never_opened_exits_at_its_stop_having_touched_nothing(tmp_path: Path) -> None:
    """A run refused before it needs its sandbox (its state directory held by another run) must not
    leave a sandbox state behind, or ingest events into the other run's."""
    process = SandboxProcess()
    child = process._child
    assert child is not None
    process.stop()
    assert child.returncode == 0
    assert not list(tmp_path.iterdir())


def test_the_child_survives_a_ctrl_c_to_the_process_group_and_ends_when_its_run_is_killed(
    tmp_path: Path,
) -> None:
    """SIGINT reaches the whole foreground group, but the run stops at a step boundary and decides
    when its sandbox ends; a SIGKILLed run closes the pipe, and the sandbox must not outlive it."""
    parent = textwrap.dedent(
        f"""
        import json, sys, time
        from pathlib import Path
        from eventframework.local.run.sandbox_process import SandboxProcess
        sandbox = SandboxProcess().open(
            Path(sys.argv[1]), {OKTA!r}, events=10, new_events=0, seed=7, token={TOKEN!r}
        )
        print(json.dumps([sandbox._child.pid, sandbox.credentials({OKTA!r})]), flush=True)
        time.sleep(120)
        """
    )
    run = subprocess.Popen(
        [sys.executable, "-c", parent, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert run.stdout is not None
        child, credentials = json.loads(run.stdout.readline())
        os.kill(child, signal.SIGINT)
        os.kill(child, signal.SIGTERM)
        assert len(_first_page(credentials)[0]) == 10  # still serving after both signals
        run.kill()
        run.wait(TIMEOUT)
        assert gone(child, within=TIMEOUT), "the sandbox outlived its killed run"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(TIMEOUT)


def test_a_child_whose_run_dies_before_the_reply_exits_and_lets_the_port_go(tmp_path: Path) -> None:
    """A run killed between its request and the child's reply: the child's reply fails on a closed
    pipe, and it must still exit rather than wait on its server thread, holding the saved port."""
    first = _opened(tmp_path)
    credentials = first.credentials(OKTA)
    first.stop()
    child = child_process.spawn(sandbox_process.CHILD_MODULE)
    assert child.stdin is not None and child.stdout is not None
    request = {"state_dir": str(tmp_path), "source": OKTA, "events": 30, "new_events": 0, "seed": 7}
    child.stdin.write(json.dumps({**request, "token": TOKEN}).encode() + b"\n")
    child.stdout.close()  # what the run's death does to both pipes
    child.stdin.close()
    child.wait(TIMEOUT)  # exits (its status is the failed reply's), or raises TimeoutExpired
    reopened = _opened(tmp_path)
    reopened.stop()
    assert reopened.credentials(OKTA) == credentials


def test_a_port_held_by_another_process_is_refused_as_an_in_process_sandbox_refuses_it(
    tmp_path: Path,
) -> None:
    first = _opened(tmp_path)
    port = _port(first.credentials(OKTA))
    assert port is not None
    first.stop()
    refused = SandboxProcess()
    child = refused._child
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder, ThreadPoolExecutor(1) as pool:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        # Side by side: each waits out the grace a killed run's sandbox gets to let go of the port.
        in_process = pool.submit(open_sandbox, tmp_path, OKTA, events=30, new_events=0, seed=7, token=TOKEN)
        with pytest.raises(SandboxStateError) as from_child:
            refused.open(tmp_path, OKTA, events=30, new_events=0, seed=7, token=TOKEN)
        with pytest.raises(SandboxStateError) as from_thread:
            in_process.result()
    assert str(from_child.value) == str(from_thread.value)
    assert f"127.0.0.1:{port}, which another process holds" in str(from_child.value)
    assert child is not None and child.returncode is not None, "the refused child was reaped"


def test_a_port_let_go_an_instant_later_is_taken_back(tmp_path: Path) -> None:
    """The sandbox process of a run killed an instant ago is still on its way out when the next run
    starts: the next run waits for the port rather than call it taken."""
    first = _opened(tmp_path)
    port = _port(first.credentials(OKTA))
    assert port is not None
    first.stop()
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", port))
    holder.listen()
    release = threading.Timer(0.3, holder.close)
    release.start()
    try:
        second = _opened(tmp_path)
    finally:
        release.join()
        holder.close()
    second.stop()
    assert _port(second.credentials(OKTA)) == port


def test_a_child_that_exits_without_a_word_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox_process, "CHILD_MODULE", "eventframework.local.run.no_such_module")
    with pytest.raises(SandboxStartError, match=r"could not start \(it exited without a word\)"):
        _opened(tmp_path)


def test_a_child_that_says_nothing_is_reported_within_the_deadline_and_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[subprocess.Popen[bytes]] = []

    def silent(module: str, *args: str) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(30)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        spawned.append(child)
        return child

    monkeypatch.setattr(child_process, "spawn", silent)
    monkeypatch.setattr(sandbox_process, "STARTUP_SECONDS", 0.5)
    with pytest.raises(SandboxStartError, match=r"the sandbox process did not start within 0\.5 s"):
        _opened(tmp_path)
    assert spawned[0].returncode == -signal.SIGKILL


def test_ending_a_child_that_died_with_a_request_still_buffered_raises_nothing() -> None:
    """A request written to a child that already exited stays in the pipe's buffer; closing the pipe
    then fails to flush, which must not hide why the child is being ended."""
    child = child_process.spawn("this_module_does_not_exist_anywhere")
    child.wait(60)
    assert child.stdin is not None
    child.stdin.write(b'{"source": "okta-system-log"}\n')  # into Python's buffer
    with contextlib.suppress(BrokenPipeError):
        child.stdin.flush()  # the child is gone: the request stays buffered
    child_process.kill(child)
    assert child.stdin.closed and child.stdout is not None and child.stdout.closed
