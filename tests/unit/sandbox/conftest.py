"""Fixtures for the sandbox tests: a virtual clock, a running sandbox and an HTTP session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Sandbox

from .support import EPOCH_START, OKTA, ONEPASSWORD, START, TOKEN, VirtualClock


@pytest.fixture
def clock() -> VirtualClock:
    # One hour after the first event: the 250 initial events (1 s apart) are all in the past.
    return VirtualClock(EPOCH_START + 3600)


@pytest.fixture
def sandbox(clock: VirtualClock) -> Iterator[Sandbox]:
    with Sandbox(
        events={OKTA: 250, ONEPASSWORD: 120}, seed=7, token=TOKEN, start_time=START, clock=clock
    ) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http
