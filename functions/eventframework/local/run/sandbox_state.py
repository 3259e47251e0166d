"""The sandbox of `efw run`, kept alive across runs in the state directory.

A second `efw run` must behave like the next scheduled run against the same vendor: same host (the
saved checkpoint is a next link that names it), the events already delivered still there, and some
new ones arrived since. The sandbox's event set is generated from a seed, so saving its port, seed,
time grid and size is enough to rebuild the same stream; each later run then ingests new events.

The sandbox itself is imported only where one is built: the parent of a sandbox process imports this
module for its error and never builds one here (see sandbox_process.py).
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from eventframework.errors import EventFrameworkError

if TYPE_CHECKING:
    from eventframework.local.sandbox import Sandbox

SANDBOX_HISTORY = timedelta(minutes=30)
# A run killed an instant ago leaves its sandbox process on its way out: it ends when it sees its
# pipe close, holding the saved port until then (milliseconds; longer on a loaded machine). A run
# started at once waits up to this long for the port before calling it taken.
PORT_RELEASE_SECONDS = 3.0
PORT_POLL_SECONDS = 0.02


class SandboxStateError(EventFrameworkError):
    """The saved sandbox cannot be brought back (its port is taken by another process)."""


@dataclass(frozen=True)
class SavedSandbox:
    """What rebuilds one source's sandbox stream exactly."""

    port: int
    seed: int
    start_ms: int
    interval_ms: int
    total: int


def make_sandbox(events: dict[str, int], *, seed: int, token: str | None = None, port: int = 0) -> Sandbox:
    """A sandbox whose events were all ingested in the last half hour.

    A first run reaches back only as far as its source's initial lookback (an hour for both built-in
    sources), so the whole generated history must fall inside it for every event to be pulled.
    """
    from eventframework.local.sandbox import Sandbox

    largest = max(events.values(), default=1) or 1
    interval = max(SANDBOX_HISTORY / largest, timedelta(milliseconds=1))
    return Sandbox(events=events, seed=seed, token=token, interval=interval, port=port)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: a port in TIME_WAIT from the previous run is free to take.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_frees(port: int, within: float) -> bool:
    """Whether the port is free, or frees itself within `within` seconds."""
    deadline = time.monotonic() + within
    while not _port_is_free(port):
        if time.monotonic() >= deadline:
            return False
        time.sleep(PORT_POLL_SECONDS)
    return True


def _build(saved: SavedSandbox, source: str, token: str) -> Sandbox:
    from eventframework.local.sandbox import Sandbox

    return Sandbox(
        events={source: saved.total},
        seed=saved.seed,
        token=token,
        start_time=datetime.fromtimestamp(saved.start_ms / 1000, tz=UTC),
        interval=timedelta(milliseconds=saved.interval_ms),
        port=saved.port,
    )


def open_sandbox(
    state_dir: Path, source: str, *, events: int, new_events: int, seed: int, token: str
) -> Sandbox:
    """Start the source's sandbox: a fresh one on a first run, else the saved one plus new arrivals."""
    path = state_dir / "sandbox" / f"{source}.json"
    if path.exists():
        saved = SavedSandbox(**json.loads(path.read_text(encoding="utf-8")))
        if not _port_frees(saved.port, PORT_RELEASE_SECONDS):
            raise SandboxStateError(
                f"the sandbox of {source} was on 127.0.0.1:{saved.port}, which another process holds "
                f"now; the saved checkpoint names that address. Free the port, or start over by "
                f"deleting {state_dir}"
            )
        sandbox = _build(saved, source, token).start()
        sandbox.ingest(source, count=new_events)
        saved = replace(saved, total=saved.total + new_events)
    else:
        interval_ms = max(int(SANDBOX_HISTORY.total_seconds() * 1000) // max(events, 1), 1)
        start_ms = int(time.time() * 1000) - events * interval_ms
        sandbox = _build(SavedSandbox(0, seed, start_ms, interval_ms, events), source, token).start()
        saved = SavedSandbox(int(sandbox.base_url.rsplit(":", 1)[1]), seed, start_ms, interval_ms, events)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")  # replaced whole: a run killed here leaves the old file
    partial.write_text(json.dumps(asdict(saved)), encoding="utf-8")
    os.replace(partial, path)
    return sandbox
