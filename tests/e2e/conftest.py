"""Fixtures for end-to-end pulls: a fresh world (sandbox + state directory) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import PullWorld, make_world


@pytest.fixture
def okta_world(tmp_path: Path) -> Iterator[PullWorld]:
    world, sandbox = make_world(tmp_path, {"okta-system-log": 1200})
    world.tune_source("okta-system-log", lambda d: d.update(page_size=200))
    with sandbox:
        yield world


@pytest.fixture
def onepassword_world(tmp_path: Path) -> Iterator[PullWorld]:
    world, sandbox = make_world(tmp_path, {"onepassword-signin-attempts": 900})
    world.tune_source("onepassword-signin-attempts", lambda d: d.update(page_size=200))
    with sandbox:
        yield world
