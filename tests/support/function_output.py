"""What the handlers write, captured in one buffer: EMF documents go to stdout, the Powertools Logger
to the stream it bound when it was made; in Lambda both are the function's stdout."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from eventframework.handlers import _runtime


@contextlib.contextmanager
def captured_function_output() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = _runtime.logger.registered_handler
    previous = handler.setStream(buffer)
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        handler.setStream(previous)
