"""Waiting on other processes in tests: poll with a deadline instead of sleeping a fixed time."""

from __future__ import annotations

import os
import time

POLL_SECONDS = 0.05


def gone(pid: int, within: float) -> bool:
    """Whether process `pid` no longer exists, polled until `within` seconds have passed."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(POLL_SECONDS)
    return False
