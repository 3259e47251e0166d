"""The embedded emulator as a process of its own: ``python -m eventframework.local.emulator``.

It starts the moto server (:class:`~eventframework.local.emulator.server.EmulatorServer`), writes
one line to stdout, the server's URL (or ``error: ...`` if it could not start), and serves until its
stdin reaches end of file. The parent (``process.py``) holds the other end of that pipe, so the
emulator ends when its run ends, however the run ends: a clean exit closes the pipe, and so does a
SIGKILL, which leaves no orphan server behind.

It ignores SIGINT and SIGTERM: a Ctrl-C reaches the whole foreground process group, but the run it
serves stops at its next step boundary and still saves its state through this server, so only the
run decides when the emulator ends.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import urllib.request

# One cheap read per service a local run uses in the emulator (its page bucket and MozDef queue
# are files, not moto's), as boto3 would send it (moto routes a request by the
# service named in its credential scope). moto builds a service's application and imports its
# backend on the first request (about 0.2 s for DynamoDB): made here, while the run is still
# importing, that cost leaves the run's first call.
_JSON_10 = {"Content-Type": "application/x-amz-json-1.0"}
_JSON_11 = {"Content-Type": "application/x-amz-json-1.1"}
_WARM_UP: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("dynamodb", "POST", {**_JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables"}),
    ("secretsmanager", "POST", {**_JSON_11, "X-Amz-Target": "secretsmanager.ListSecrets"}),
)


def _warm_up(endpoint_url: str, region: str) -> None:
    """Send each warm-up read; a failure only means that service's first real call pays instead."""
    for service, method, headers in _WARM_UP:
        credential = f"testing/20260101/{region}/{service}/aws4_request"
        request = urllib.request.Request(
            f"{endpoint_url}/",
            data=b"{}" if method == "POST" else None,
            method=method,
            headers={
                **headers,
                "Authorization": f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=0",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except OSError:
            continue


def main() -> int:
    """Serve until stdin closes; the exit status says only whether the server started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    region = sys.argv[1] if len(sys.argv) > 1 else "us-east-1"
    try:
        from eventframework.local.emulator.server import EmulatorServer

        server = EmulatorServer(region, fresh_process=True).start()
    except Exception as error:  # reported to the parent, which words it for the user
        print(f"error: {type(error).__name__}: {error}", flush=True)
        return 1
    print(server.endpoint_url, flush=True)
    threading.Thread(target=_warm_up, args=(server.endpoint_url, region), daemon=True).start()
    sys.stdin.buffer.read()  # until the parent closes the pipe or dies
    # Nothing to keep: the run saved what it needed through the server before closing the pipe.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
