"""A moto server on 127.0.0.1 that boto3 reaches through the standard `AWS_ENDPOINT_URL` variable.

Running moto as a real HTTP server (rather than moto's in-process patching) means the handlers talk
to it exactly as they talk to AWS: through botocore's HTTP stack, with serialised requests and
responses, so a local run exercises the same code path as a deployed one.
"""

from __future__ import annotations

import logging
import urllib.request

from eventframework.local.emulator.environment import Emulator
from eventframework.local.emulator.moto_thread import moto_server
from eventframework.local.emulator.tracking import track_weakly


class EmulatorServer(Emulator):
    """Start and stop an embedded moto server; `environment()` gives the variables that point at it."""

    def __init__(self, region: str = "us-east-1", *, fresh_process: bool = False) -> None:
        """`fresh_process`: this is the first moto server of a new process (the emulator process of
        `__main__`), whose backends are empty already; the reset an earlier server's leftovers need
        would only cost its start-up (~20 ms, on the path to a run's first table)."""
        super().__init__(region)
        self._server = moto_server("127.0.0.1")
        self._fresh_process = fresh_process

    def start(self) -> EmulatorServer:
        # werkzeug logs every request at INFO; a run makes thousands, and they are not the user's concern.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self._endpoint_url = f"http://{host}:{port}"
        if self._fresh_process:
            track_weakly()
        else:
            self.reset()
        return self

    def reset(self) -> None:
        """Forget every emulated resource.

        moto's backends live in module globals, shared by every server in the process; a fresh
        emulator must not see what an earlier one (or an earlier test) created.
        """
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        # moto would otherwise keep every model instance a run creates (each ledger item written,
        # each page object put) until the next reset: see tracking.py.
        track_weakly()

    def stop(self) -> None:
        if self._endpoint_url is not None:
            self._server.stop()
            self._endpoint_url = None
