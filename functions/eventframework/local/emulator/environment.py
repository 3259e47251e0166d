"""The environment a local run gives boto3 and the handlers: where the emulator is, and how to set it.

Kept apart from the emulator's server so that the parent of an emulator process (``process.py``)
sets its environment without importing moto or werkzeug. :class:`Emulator` is what both emulators
(the server thread, and the child process that runs it) offer: an endpoint and its variables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from eventframework.local.lifecycle import Service

# moto accepts any credentials; these fixed ones keep a local run from ever touching a real account
# through credentials that happen to be configured on the machine.
EMULATOR_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def emulator_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """The variables that send every boto3 client of a process to the emulator at `endpoint_url`."""
    return {
        **EMULATOR_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


@contextmanager
def patched_environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block and restore the previous values after.

    The Lambda handlers read their configuration from the environment, as they do in AWS; a local run
    sets it for the process while it runs and leaves the caller's environment as it found it.
    """
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class Emulator(Service):
    """A running moto endpoint of one region; `environment()` gives the variables that point at it."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._endpoint_url: str | None = None

    @property
    def endpoint_url(self) -> str:
        if self._endpoint_url is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._endpoint_url

    def environment(self) -> dict[str, str]:
        """The variables that send every boto3 client of this process to the emulator."""
        return emulator_environment(self.endpoint_url, self.region)
