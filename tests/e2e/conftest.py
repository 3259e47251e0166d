"""Fixtures for end-to-end pulls: a fresh world (sandbox + state directory) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import SMALL_OKTA_EVENTS, PullWorld, serving_world


@pytest.fixture
def okta_world(tmp_path: Path) -> Iterator[PullWorld]:
    with serving_world(tmp_path, "okta-system-log", 1200, page_size=200) as world:
        yield world


@pytest.fixture
def small_okta_world(tmp_path: Path) -> Iterator[PullWorld]:
    """400 Okta events in pages of 100: room for a failure at page 3 and a run after it."""
    with serving_world(tmp_path, "okta-system-log", SMALL_OKTA_EVENTS, page_size=100) as world:
        yield world


@pytest.fixture
def onepassword_world(tmp_path: Path) -> Iterator[PullWorld]:
    with serving_world(tmp_path, "onepassword-signin-attempts", 900, page_size=200) as world:
        yield world
