"""The default sandbox of `efw run` as a process: `python -m eventframework.local.run.sandbox_child`.

A real vendor's API answers from another machine; this child answers from another process, so that
building a page (~30-50 ms of Python per 1,000 events) no longer takes turns with the run on one
interpreter lock. Its protocol (the parent is sandbox_process.py):

1. It imports the sandbox at once (about 0.25 s on its own interpreter), while the run is still
   setting up its deployment.
2. It reads one line from stdin, the JSON request: state directory, source, counts, seed and token
   (the token comes by this pipe, never on the command line, where `ps` would show it).
3. It opens the sandbox exactly as an in-process run would (`open_sandbox`: same saved port, seed
   and time grid, same state file) and writes one line: ``{"credentials": {...}}``, or
   ``{"error": TYPE, "message": TEXT}`` if it could not.
4. It serves until its stdin reaches end of file: the parent holds the pipe, so the sandbox ends
   with its run however the run ends, SIGKILL included.

A parent that gives up before it needs a sandbox (a state directory held by another run) closes
the pipe before any request: the child then exits having touched nothing.

It ignores SIGINT and SIGTERM: a Ctrl-C reaches the whole foreground process group, but the run it
serves stops at its next step boundary, so only the run decides when the sandbox ends.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from eventframework.local.run.heap import start_up_heap_frozen
from eventframework.local.run.sandbox_state import open_sandbox


def _open(request: dict[str, Any]) -> dict[str, str]:
    """Open the requested sandbox and return its credentials for the requested source."""
    source = str(request["source"])
    sandbox = open_sandbox(
        Path(request["state_dir"]),
        source,
        events=int(request["events"]),
        new_events=int(request["new_events"]),
        seed=int(request["seed"]),
        token=str(request["token"]),
    )
    return sandbox.credentials(source)


def _serve(request: bytes) -> int:
    """Open the requested sandbox, announce it, and serve until stdin closes; 1 if it did not open."""
    try:
        credentials = _open(json.loads(request))
    except Exception as error:  # reported to the parent, which raises it in the run
        print(json.dumps({"error": type(error).__name__, "message": str(error)}), flush=True)
        return 1
    with start_up_heap_frozen():  # pages are built under the run's collector settings (see heap.py)
        print(json.dumps({"credentials": credentials}), flush=True)
        sys.stdin.buffer.read()  # until the parent closes the pipe or dies
    return 0


def main() -> int:
    """Serve one sandbox until stdin closes; the exit status says only whether it opened."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import eventframework.local.sandbox  # noqa: F401  (the slow part, done before the request comes)

    request = sys.stdin.buffer.readline()
    if not request:
        return 0  # the run ended before it needed a sandbox
    status = 1
    try:
        status = _serve(request)
    finally:
        # However it ends (a parent killed before the reply makes a print fail), the process ends
        # here: a plain exit would wait for the sandbox's server thread, an orphan holding the port.
        # Nothing to keep: open_sandbox saved the sandbox's state before it was announced.
        os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
