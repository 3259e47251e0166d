"""One comparison of two ProcessResults, for the tests that hold a fast path to the reference path."""

from __future__ import annotations

from eventframework.process import check, mozdef_validator
from eventframework.process.results import ProcessResult


def assert_same_results(got: ProcessResult, want: ProcessResult, *, bodies: bool = True) -> None:
    """Equal events (details in the same order), dead letters, ledger entries, duplicates and newest
    time, and SQS bodies unless ``bodies`` is False (a reference that is not plain encodes none);
    every event ``got`` publishes passes the MozDef schema itself."""
    assert got.events == want.events
    assert [list(event["details"]) for event in got.events] == [
        list(event["details"]) for event in want.events
    ]
    if bodies:
        assert got.bodies == want.bodies
    assert got.dead == want.dead
    assert (got.delivered, got.duplicates, got.newest_event_time) == (
        want.delivered,
        want.duplicates,
        want.newest_event_time,
    )
    for event in got.events:
        check(mozdef_validator(), event)
