"""The moto server thread of the embedded emulator, with two of moto's per-call costs taken out.

moto's `ThreadedMotoServer` serves requests well but costs a local run in two places that a
profile of `efw run` shows (py-spy, 10k events, file sink):

- its dispatcher asks `moto.backends.list_of_moto_modules()` on every request, which lists moto's
  package directory on disk (a `listdir` and ~200 `isdir` calls per request, ~20% of a run's
  executions); the list cannot change while the process runs, so it is computed once;
- `serve_forever` polls for shutdown every 0.5 s, so stopping the emulator waited up to half a
  second; this thread polls every 20 ms.

Both rely only on what moto's own CLI server uses (`DomainDispatcherApplication`,
`create_backend_app`, `MotoRequestHandler`); if a moto release moves them, the emulator falls back
to moto's `ThreadedMotoServer` unchanged, and a run is slower but still correct.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from werkzeug.serving import BaseWSGIServer, make_server

# How often the serving loop checks for a stop request: the longest `stop()` waits for the thread.
POLL_INTERVAL = 0.02


class MotoServer(Protocol):
    """What the emulator needs of a moto server thread (moto's own or `PromptMotoServer`)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def get_host_and_port(self) -> tuple[str, int]: ...


def cache_moto_module_list() -> bool:
    """Replace moto's per-request directory listing by the same names, listed once.

    Returns whether the cache is in place (False when moto has no such function, so nothing to do).
    Idempotent: a second call finds the cached function and leaves it.
    """
    try:
        from moto import backends
    except ImportError:  # pragma: no cover - moto is a dependency of the local tooling
        return False
    current = getattr(backends, "list_of_moto_modules", None)
    if not callable(current):
        return False
    if getattr(current, "_efw_cached", False):
        return True
    modules = tuple(current())

    def list_of_moto_modules() -> Iterable[str]:
        return modules

    list_of_moto_modules._efw_cached = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules
    return True


class PromptMotoServer:
    """moto's WSGI application on a werkzeug server thread that stops within `POLL_INTERVAL`."""

    def __init__(self, app_factory: Callable[[], Any], handler: type[Any], ip_address: str) -> None:
        self._app_factory = app_factory
        self._handler = handler
        self._ip_address = ip_address
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # Built on the caller's thread so a bind error surfaces here, not in a silent thread.
        self._server = make_server(
            self._ip_address, 0, self._app_factory(), threaded=True, request_handler=self._handler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name="efw-emulator",
            daemon=True,
        )
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the moto server is not running; call start() first")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        self._server = self._thread = None


def moto_server(ip_address: str = "127.0.0.1") -> MotoServer:
    """The fastest moto server thread this moto release allows, on a free port of `ip_address`."""
    cache_moto_module_list()
    try:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
    except ImportError:  # pragma: no cover - exercised only by a moto release that moved them
        from moto.server import ThreadedMotoServer

        return ThreadedMotoServer(ip_address=ip_address, port=0, verbose=False)
    return PromptMotoServer(
        lambda: DomainDispatcherApplication(create_backend_app), MotoRequestHandler, ip_address
    )
