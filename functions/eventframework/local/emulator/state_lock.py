"""One local process at a time per state directory.

Two `efw` processes on one state directory would each load the tables, write their own journal
and snapshots, and the last to finish would silently undo the other. An advisory lock (flock on
`<state-dir>/lock`) refuses the second with the first's pid. The operating system drops the lock
when its holder dies, however it dies, which is also how a later run knows that a lease held by an
execution with no record belongs to a process that is gone (see local/run/abandoned.py).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from eventframework.errors import EventFrameworkError

LOCK_FILE = "lock"


class StateDirectoryBusyError(EventFrameworkError):
    """Another local process holds the state directory."""

    def __init__(self, state_dir: Path, holder: str) -> None:
        self.state_dir = state_dir
        self.holder = holder
        super().__init__(
            f"another efw process ({holder}) is using {state_dir}; wait for it to finish, stop it, "
            "or give this command another --state-dir"
        )


class StateDirectoryLock:
    """Hold `<state_dir>/lock` exclusively while the block runs."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_FILE
        self._handle: IO[str] | None = None

    def __enter__(self) -> StateDirectoryLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "pid unknown"
            handle.close()
            raise StateDirectoryBusyError(self.path.parent, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
