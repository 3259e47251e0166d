"""The default sandbox of `efw run`, served from a child process (sandbox_child.py) as a vendor would.

The run is CPU-bound on one interpreter; a sandbox served from a thread of it takes turns with the
run for every page it builds. From a process of its own, the sandbox builds a page while the run
processes the one before, and the run never imports the sandbox at all.

A :class:`SandboxProcess` is started as early as is correct and opened later, in two steps: the
child is spawned when the run begins, so that its imports overlap the run's deployment, and it is
sent its request only once the run holds its state directory (`open`), because opening the sandbox
writes the directory's sandbox state and ingests new events into it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Protocol, Self

from eventframework.errors import EventFrameworkError
from eventframework.local import child_process
from eventframework.local.run.sandbox_state import SandboxStateError

CHILD_MODULE = "eventframework.local.run.sandbox_child"
NAME = "the sandbox process"
# Generous, as for the emulator: a loaded CI machine imports and opens the sandbox in about a second.
STARTUP_SECONDS = 60.0


class SandboxHandle(Protocol):
    """What a local pull needs of its sandbox: an in-process `Sandbox` (a test's, to inject faults)
    or a :class:`SandboxProcess` (the default)."""

    def credentials(self, source: str) -> dict[str, str]:
        """The secret the source's client needs to pull this sandbox."""

    def stop(self) -> None:
        """Stop serving; safe to call twice."""


class SandboxStartError(EventFrameworkError):
    """The sandbox process did not come up; the message carries what it said, if anything."""


class SandboxProcess:
    """A run's sandbox in a child process: spawned at once, opened on one state directory later."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[bytes] | None = child_process.spawn(CHILD_MODULE)
        self._credentials: dict[str, dict[str, str]] = {}

    def open(
        self, state_dir: Path, source: str, *, events: int, new_events: int, seed: int, token: str
    ) -> Self:
        """Have the child open the source's sandbox as `open_sandbox` would, and wait until it serves."""
        child = self._child
        if child is None or child.stdin is None:
            raise SandboxStartError(f"{NAME} was stopped before it was opened")
        request = {
            "state_dir": str(state_dir.absolute()),
            "source": source,
            "events": events,
            "new_events": new_events,
            "seed": seed,
            "token": token,
        }
        try:
            child.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            child.stdin.flush()
        except BrokenPipeError:
            pass  # the child is gone: its missing first line says so below
        try:
            self._credentials[source] = _credentials(
                child_process.first_line(child, STARTUP_SECONDS, SandboxStartError, NAME)
            )
        except EventFrameworkError:
            self._discard()
            raise
        return self

    def credentials(self, source: str) -> dict[str, str]:
        """The secret the child announced for `source` (the one source it was opened for)."""
        if source not in self._credentials:
            raise SandboxStartError(
                f"{NAME} serves {', '.join(self._credentials) or 'nothing yet'}, not {source}"
            )
        return dict(self._credentials[source])

    def stop(self) -> None:
        """Close the child's stdin, its signal to stop serving, and reap it; safe to call twice."""
        child, self._child = self._child, None
        if child is not None:
            child_process.end(child)

    def _discard(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child_process.kill(child)


def _credentials(said: str) -> dict[str, str]:
    """The credentials in the child's first line, or the error it reported there, raised here."""
    try:
        reply: dict[str, Any] = json.loads(said) if said.startswith("{") else {}
    except ValueError:
        reply = {}
    if isinstance(reply.get("credentials"), dict):
        return {str(key): str(value) for key, value in reply["credentials"].items()}
    if reply.get("error") == SandboxStateError.__name__:
        raise SandboxStateError(str(reply.get("message")))  # the message an in-process run gives
    what = f"{reply['error']}: {reply.get('message')}" if "error" in reply else said
    raise SandboxStartError(f"{NAME} could not start ({what or 'it exited without a word'})")
