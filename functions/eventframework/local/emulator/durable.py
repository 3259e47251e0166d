"""What "on disk" means for the local run's state: a file's bytes, then the folder entry naming it.

The journal, the table snapshots, the MozDef queue's file and the page bucket each promise that what
they acknowledged survives a crash (docs/architecture.md, "As durable as the services it stands in
for"); they keep that promise with these two calls.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any


def sync_file(handle: IO[Any]) -> None:
    """Flush Python's buffer, then have the OS write the file's bytes to the device."""
    handle.flush()
    os.fsync(handle.fileno())


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable: fsync the folder itself (POSIX)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
