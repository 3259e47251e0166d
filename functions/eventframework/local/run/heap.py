"""The garbage collector's settings while a local pull runs: off the start-up heap, and off each page.

Shared by the run (pull.py) and the sandbox process that serves it (sandbox_child.py); standard
library only, so the sandbox process pays nothing to import it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_GENERATION_OBJECTS = 50_000  # see start_up_heap_frozen


@contextmanager
def start_up_heap_frozen() -> Iterator[None]:
    """Keep the garbage collector off the start-up heap while the pull runs, and off each page.

    By the time the engine starts, the process holds a few hundred thousand long-lived objects (boto3
    and moto models, the template, the emulator's stores). Every full collection walks all of them,
    and a page's decode and processing allocate enough to trigger collections each page: measured,
    ~1.3 s of CPU in a 10,000-event run. Freezing moves them out of the collector's generations for
    the run (the usual start-up move of a long-running server); unfreezing afterwards hands them back,
    so a caller that runs several pulls in one process (the tests) leaks nothing.

    A page then allocates some 10,000 containers (the decoded events, their MozDef forms) that all
    die together when the page is done. At the default threshold (700) the young generation is
    collected ~15 times a page, each time promoting the page's live events to be walked again by the
    older generations: ~900 collections in a 10,000-event run. A young generation of
    YOUNG_GENERATION_OBJECTS lets most of a page die uncollected (benchmarks/README.md, round 7).

    The sandbox process (sandbox_child.py) serves under the same settings: its start-up heap is the
    same kind (boto3, requests and YAML, imported by the fetch package its APIs share), and building
    a page allocates as much as processing one; left to the defaults, its collections made a 10,000-
    event run 0.9 s slower.
    """
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_OBJECTS, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
