"""Serve the sandbox Okta API over HTTPS in its own process (so it never shares the client's GIL).

Like ``python -m eventframework.local.sandbox --tls``, with the event spacing a first pull needs:
all events fall inside the last 30 minutes (a first run looks back one hour), or inside the last
``history_seconds`` when given (a history to backfill). Prints one JSON line
(base_url, token, ca_file) and serves until its standard input closes. Not product code.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta

from eventframework.local.sandbox import Sandbox

SOURCE = "okta-system-log"


def main() -> None:
    events, seed = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 7
    history = timedelta(seconds=int(sys.argv[3])) if len(sys.argv) > 3 else timedelta(minutes=30)
    interval = max(history / max(events, 1), timedelta(milliseconds=1))
    with Sandbox(events={SOURCE: events}, seed=seed, tls=True, interval=interval) as sandbox:
        info = {"base_url": sandbox.base_url, "token": sandbox.token, "ca_file": str(sandbox.ca_file)}
        print(json.dumps(info))
        sys.stdout.flush()
        sys.stdin.read()


if __name__ == "__main__":
    main()
