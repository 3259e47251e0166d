"""Operator views: where a failed run stopped (from AWS-shaped history), --since, list filters."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from eventframework.local.ops.views import (
    ExecutionView,
    OpsInputError,
    failure_from_history,
    parse_since,
    select,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _history() -> list[dict[str, object]]:
    fetch_input = {"source": "okta", "cursor": "https://x/logs?after=abc", "page_number": 3}
    return [
        {"id": 1, "type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Process page"}},
        {"id": 3, "type": "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails": {"input": "{}"}},
        {"id": 4, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Fetch page"}},
        {
            "id": 5,
            "type": "LambdaFunctionScheduled",
            "lambdaFunctionScheduledEventDetails": {"input": json.dumps(fetch_input)},
        },
        {
            "id": 6,
            "type": "ExecutionFailed",
            "executionFailedEventDetails": {"error": "SourceUnavailableError", "cause": "HTTP 500"},
        },
    ]


def test_failure_from_history_names_the_step_page_and_cursor() -> None:
    failure = failure_from_history(_history(), None, None)
    assert failure.step == "Fetch page"
    assert (failure.error, failure.cause) == ("SourceUnavailableError", "HTTP 500")
    assert (failure.page_number, failure.cursor) == (3, "https://x/logs?after=abc")


def test_failure_from_history_follows_the_failed_task_past_a_sibling_branch() -> None:
    """The pull fetches page 3 beside the processing of page 2: the sibling's events (a failed attempt
    of its own included) come after the failed ProcessPage's; the failure the execution reports and
    `previousEventId` (each branch's own chain) tell them apart."""
    process_input = {"page": {"bucket": "b", "key": "pages/k/2.json"}}
    fetch_input = {"cursor": "https://x/logs?after=def", "page_number": 3}

    def event(number: int, previous: int, kind: str, details: dict[str, object]) -> dict[str, object]:
        key = "stateEnteredEventDetails" if kind.endswith("StateEntered") else kind[0].lower() + kind[1:]
        key = key if key.endswith("Details") else key + "EventDetails"
        return {"id": number, "previousEventId": previous, "type": kind, key: details}

    events = [
        event(1, 0, "ParallelStateStarted", {}),
        event(2, 1, "TaskStateEntered", {"name": "Process page"}),
        event(3, 1, "TaskStateEntered", {"name": "Fetch the next page"}),
        event(4, 2, "LambdaFunctionScheduled", {"input": json.dumps(process_input)}),
        event(5, 3, "LambdaFunctionScheduled", {"input": json.dumps(fetch_input)}),
        event(6, 4, "LambdaFunctionFailed", {"error": "LeaseLostError", "cause": "lost"}),
        event(7, 5, "LambdaFunctionFailed", {"error": "SourceUnavailableError", "cause": "HTTP 500"}),
        event(8, 1, "ParallelStateFailed", {}),
        event(9, 8, "ExecutionFailed", {"error": "LeaseLostError", "cause": "lost"}),
    ]
    failure = failure_from_history(events, None, None)
    assert (failure.step, failure.error, failure.page_key) == (
        "Process page",
        "LeaseLostError",
        "pages/k/2.json",
    )
    assert failure.page_number is None, "the sibling's fetch of page 3 is not what failed"


def test_failure_from_history_reads_the_page_reference_of_a_failed_process_step() -> None:
    events = _history()[:3]
    events[2] = {
        "id": 3,
        "type": "LambdaFunctionScheduled",
        "lambdaFunctionScheduledEventDetails": {
            "input": json.dumps({"page": {"bucket": "b", "key": "pages/k/2.json"}})
        },
    }
    failure = failure_from_history(events, "Boom", "cause")
    assert (failure.step, failure.page_key, failure.error) == ("Process page", "pages/k/2.json", "Boom")


def test_parse_since_reads_ages_and_iso_times() -> None:
    assert parse_since("90m", NOW) == datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    assert parse_since("2d", NOW) == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_since("2026-11-01T00:00:00Z") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T00:00:00") == datetime(2026, 11, 1, tzinfo=UTC)


def test_parse_since_rejects_nonsense_with_the_fix() -> None:
    with pytest.raises(OpsInputError, match="30m, 6h, 2d"):
        parse_since("yesterday")


def _view(name: str, status: str, source: str, started: str, machine: str = "efw-pull") -> ExecutionView:
    arn = f"arn:aws:states:us-east-1:1:execution:{machine}:{name}"
    return ExecutionView(
        arn, name, f"arn:aws:states:us-east-1:1:stateMachine:{machine}", status, source, started, None
    )


def test_select_filters_by_status_source_and_start() -> None:
    views = [
        _view("a", "FAILED", "okta", "2026-11-27T11:00:00+00:00"),
        _view("b", "FAILED", "okta", "2026-11-26T11:00:00+00:00"),
        _view("c", "SUCCEEDED", "okta", "2026-11-27T11:30:00+00:00"),
        _view("d", "FAILED", "duo", "2026-11-27T11:45:00+00:00"),
    ]
    chosen = select(views, status="failed", source="okta", since=parse_since("6h", NOW))
    assert [view.name for view in chosen] == ["a"]


def test_execution_view_kind_follows_the_state_machine() -> None:
    assert _view("a", "FAILED", "okta", "", machine="ReprocessStateMachine").kind == "reprocess"
    assert _view("a", "FAILED", "okta", "").kind == "pull"
