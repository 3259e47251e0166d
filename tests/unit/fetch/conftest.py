"""Fixtures for fetch tests: the loopback server (started and stopped per test) and the built-ins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fetch_helpers import Loopback

from eventframework.definitions import load_source
from eventframework.definitions.model import SourceDefinition


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()
    server.thread.join(timeout=5)


@pytest.fixture
def okta() -> SourceDefinition:
    return load_source("okta-system-log")


@pytest.fixture
def onepassword() -> SourceDefinition:
    return load_source("onepassword-signin-attempts")
