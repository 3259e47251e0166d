"""A local run's server in a child process: started, heard from once, and ended with its run.

The emulator (emulator/process.py) and the default sandbox (run/sandbox_process.py) each serve a run
from a child process of their own, so that their Python work no longer takes turns with the run on
one interpreter lock. Both children speak the same small protocol: one line on stdout once they are
ready (or what went wrong), then they serve until their stdin reaches end of file. The parent holds
the write end of that pipe, so a child ends with its run however the run ends: a clean exit closes
the pipe, and so does a SIGKILL, which leaves no orphan server behind.

This module imports only the standard library: a parent reaches it before anything heavy is loaded.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import time
from typing import IO

# Past this a child that closed its stdin is not ending by itself (it is hung), and is killed.
STOP_SECONDS = 10.0


def spawn(module: str, *args: str) -> subprocess.Popen[bytes]:
    """`python -m module args` with its stdin and stdout piped to this process.

    stderr goes nowhere: a child reports its failures on its first line, and a server's stray
    warnings have no place on the run's terminal.
    """
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def first_line(child: subprocess.Popen[bytes], timeout: float, error: type[Exception], name: str) -> str:
    """The child's first line of output, read with a deadline (the child may hang or die).

    Past the deadline it raises `error` saying that `name` did not start in time; a child that exits
    without a word gives an empty line, which the caller words for the user.
    """
    stdout: IO[bytes] | None = child.stdout
    assert stdout is not None, "spawned with stdout=PIPE"
    deadline = time.monotonic() + timeout
    line = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise error(f"{name} did not start within {timeout:g} s")
            chunk = os.read(stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
    return line.decode("utf-8", "replace").strip()


def _close(pipe: IO[bytes] | None) -> None:
    """Close a pipe to or from a child that may be gone: a request still buffered for a dead child
    fails to flush (BrokenPipeError), which must not hide why the child is being ended."""
    if pipe is not None:
        with contextlib.suppress(OSError):
            pipe.close()


def end(child: subprocess.Popen[bytes], seconds: float = STOP_SECONDS) -> None:
    """Close the child's stdin (its signal to stop serving and exit) and reap it; kill it if it hangs."""
    _close(child.stdin)
    try:
        child.wait(seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    _close(child.stdout)


def kill(child: subprocess.Popen[bytes]) -> None:
    """End a child that never started serving: it may not be reading its pipe, so it is killed."""
    child.kill()
    child.wait()
    _close(child.stdin)
    _close(child.stdout)
