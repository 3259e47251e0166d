"""`sync` and `check` of a generated file, the one rule behind `efw template`, `efw schema` and
`efw catalogue`: check exits 1 when the file differs from what sync would write, naming the command
that fixes it; sync writes the file only when it differs."""

from __future__ import annotations

import sys
from pathlib import Path

from eventframework.definitions.locations import display_path


def sync_or_check(action: str, file: Path, wanted: str, *, origin: str, command: str) -> int:
    """Apply ``action`` (``sync`` or ``check``) to ``file`` against ``wanted``, its generated text
    (made from ``origin``, the words the messages use for it); the exit status of the command."""
    current = file.read_text(encoding="utf-8") if file.exists() else ""
    shown = display_path(file)
    if action == "check":
        if current != wanted:
            print(f"{shown} is stale against {origin}: run `{command}`", file=sys.stderr)
            return 1
        print(f"{shown} matches {origin}")
        return 0
    if current == wanted:
        print(f"{shown} already matches {origin}")
        return 0
    file.write_text(wanted, encoding="utf-8")
    print(f"rewrote {shown} from {origin}")
    return 0
