"""The start/stop lifecycle shared by the local servers (emulator, sandbox, webhook server, serve).

Each of them runs between `start()` and `stop()` and is also used as a context manager; the
context-manager half is the same everywhere, so it lives here once and a server only says how it
starts and stops.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Service(ABC):
    """A local server: `with Service(...) as running:` starts it and always stops it after."""

    @abstractmethod
    def start(self) -> Self:
        """Begin serving and return self (so `Service(...).start()` reads as one step)."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and release what `start` took; safe to call when not started."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
