"""The embedded emulator in a child process, started before the command line's own imports.

A local run needs moto (its server, werkzeug, Flask and the backends a run uses) only behind an
HTTP endpoint: boto3 talks to it over loopback either way. In a process of its own, moto's start-up
(about 0.3 s) runs on the second core while this process imports boto3, the engine and the handlers,
and moto's request handling no longer takes turns with the run on one interpreter lock.

:func:`prestart` is called by the command line as its first step, before anything heavy is imported,
for the commands that will deploy the template locally; the first :class:`EmulatorProcess` of the
process takes that child instead of starting its own. This module imports only the standard
library, so that first step costs a fork and an exec.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Self

from eventframework.errors import EventFrameworkError
from eventframework.local import child_process
from eventframework.local.emulator.environment import Emulator

DEFAULT_REGION = "us-east-1"
# Generous: a loaded CI machine starts moto in about a second; past this the child is not coming.
STARTUP_SECONDS = 60.0

# Children started by `prestart`, by region, until an EmulatorProcess of that region takes one.
_waiting: dict[str, subprocess.Popen[bytes]] = {}


class EmulatorStartError(EventFrameworkError):
    """The emulator process did not come up; the message carries what it said, if anything."""


def _spawn(region: str) -> subprocess.Popen[bytes]:
    return child_process.spawn("eventframework.local.emulator", region)


def prestart(region: str = DEFAULT_REGION) -> None:
    """Start the emulator process now, for the first :class:`EmulatorProcess` to take (idempotent)."""
    if region not in _waiting:
        _waiting[region] = _spawn(region)


class EmulatorProcess(Emulator):
    """The moto server of a local run, in a child process; `environment()` points boto3 at it."""

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        super().__init__(region)
        self._child: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        self._child = child = _waiting.pop(self.region, None) or _spawn(self.region)
        try:
            said = child_process.first_line(
                child, STARTUP_SECONDS, EmulatorStartError, "the emulator process"
            )
        except EmulatorStartError:
            self._discard()
            raise
        if not said.startswith("http://"):
            self._discard()
            raise EmulatorStartError(
                f"the emulator process could not start ({said or 'it exited without a word'}); "
                f"run `{sys.executable} -m eventframework.local.emulator` to see why"
            )
        self._endpoint_url = said
        return self

    def stop(self) -> None:
        child, self._child, self._endpoint_url = self._child, None, None
        if child is not None:
            child_process.end(child)

    def _discard(self) -> None:
        """End a child that never started serving: it is not reading its pipe, so it is killed."""
        child, self._child = self._child, None
        if child is not None:
            child_process.kill(child)
