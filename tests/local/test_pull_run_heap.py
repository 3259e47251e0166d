"""start_up_heap_frozen: a local pull's start-up heap is out of the collector's way, and handed back."""

from __future__ import annotations

import gc

import pytest

from eventframework.local.pull_run import start_up_heap_frozen


def test_start_up_heap_frozen_freezes_for_the_block_and_unfreezes_after() -> None:
    before = gc.get_freeze_count()
    with start_up_heap_frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0


def test_start_up_heap_frozen_unfreezes_when_the_run_raises() -> None:
    with pytest.raises(RuntimeError), start_up_heap_frozen():
        raise RuntimeError("engine failed")
    assert gc.get_freeze_count() == 0
