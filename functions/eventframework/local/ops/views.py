"""What the operator commands show, read the same way from local execution records and from AWS.

Both backends hand over AWS-shaped data (DescribeExecution fields, GetExecutionHistory events), so
the failure of a run (the step, error, cause, and the page and cursor it was working on) is read
from the history by one function, whichever side it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventframework.errors import EventFrameworkError

_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class OpsInputError(EventFrameworkError):
    """An operator command got an option it cannot use; `option` names it."""

    def __init__(self, option: str, value: str, fix: str) -> None:
        self.option = option
        self.value = value
        super().__init__(f"{option} {value!r}: {fix}")


def parse_since(text: str, now: datetime | None = None, option: str = "--since") -> datetime:
    """`--since` (or another time `option`): an ISO 8601 time, or an age such as 30m, 6h, 2d (before now)."""
    match = _RELATIVE.match(text.strip())
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise OpsInputError(option, text, "use an ISO 8601 time or an age like 30m, 6h, 2d") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class ExecutionView:
    """One execution as `efw executions list` shows it."""

    arn: str
    name: str
    state_machine: str
    status: str
    source: str | None
    started: str
    stopped: str | None
    redrive_count: int = 0

    @property
    def kind(self) -> str:
        machine = self.state_machine.rsplit(":", 1)[-1].lower()
        return "reprocess" if "reprocess" in machine else "pull"

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "kind": self.kind}

    @classmethod
    def from_describe(cls, described: Mapping[str, Any]) -> ExecutionView:
        run_input = _json(described.get("input"))
        source = run_input.get("source") if isinstance(run_input, Mapping) else None
        started, stopped = as_time(described.get("startDate")), as_time(described.get("stopDate"))
        return cls(
            arn=described["executionArn"],
            name=described["name"],
            state_machine=described["stateMachineArn"],
            status=described["status"],
            source=source if isinstance(source, str) else None,
            started=started.isoformat() if started else "",
            stopped=stopped.isoformat() if stopped else None,
            redrive_count=int(described.get("redriveCount") or 0),
        )


@dataclass(frozen=True)
class FailureView:
    """Where a failed run stopped: the step, AWS's error and cause, and the page and cursor."""

    step: str | None
    error: str | None
    cause: str | None
    page_number: int | None = None
    cursor: str | None = None
    page_key: str | None = None
    task_input: Any = None


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((value for key, value in event.items() if key.endswith("EventDetails")), {})


# The events that end a task attempt in failure (GetExecutionHistory's names).
_TASK_FAILURES = frozenset(
    {
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
        "TaskFailed",
        "TaskTimedOut",
        "TaskStartFailed",
        "TaskSubmitFailed",
    }
)
_SCHEDULED = frozenset({"LambdaFunctionScheduled", "TaskScheduled"})


def failure_from_history(
    events: Iterable[Mapping[str, Any]], error: str | None, cause: str | None
) -> FailureView:
    """Where the execution failed: the state of its last failed task and that task's input (page
    number, cursor, page reference).

    The failed task is followed back through `previousEventId` to its scheduling and its state, so a
    sibling branch's events in between (the pull fetches the next page beside the processing of
    this one) are never taken for it. Without a failed task (a failure inside a state's own
    processing), the last state entered and the last task scheduled are what the run was doing."""
    listed = list(events)
    by_id = {event.get("id"): event for event in listed}
    step: str | None = None
    task_input: Any = None
    failures: list[Mapping[str, Any]] = []
    for event in listed:
        details = _details(event)
        if str(event.get("type", "")).endswith("StateEntered"):
            step = details.get("name", step)
        if event.get("type") in _SCHEDULED:
            task_input = _json(details.get("input", details.get("parameters")))
        if event.get("type") in _TASK_FAILURES:
            failures.append(event)
        if event.get("type") == "ExecutionFailed":
            error, cause = details.get("error", error), details.get("cause", cause)
    failed_task = _the_failure(failures, error, cause)
    if failed_task is not None:
        step, task_input = _task_of(failed_task, by_id, step, task_input)
    scheduled = task_input if isinstance(task_input, Mapping) else {}
    page = scheduled.get("page") if isinstance(scheduled.get("page"), Mapping) else {}
    number = scheduled.get("page_number")
    return FailureView(
        step=step,
        error=error,
        cause=cause,
        page_number=number if isinstance(number, int) else None,
        cursor=scheduled.get("cursor") if isinstance(scheduled.get("cursor"), str) else None,
        page_key=page.get("key") if isinstance(page, Mapping) else None,
        task_input=task_input,
    )


def _the_failure(
    failures: list[Mapping[str, Any]], error: str | None, cause: str | None
) -> Mapping[str, Any] | None:
    """The task failure the execution failed with: the last whose error and cause are the
    execution's (a sibling branch may have failed and retried after it), else the last one."""
    matching = [
        failure
        for failure in failures
        if (_details(failure).get("error"), _details(failure).get("cause")) == (error, cause)
    ]
    chosen = matching or failures
    return chosen[-1] if chosen else None


def _task_of(
    failed: Mapping[str, Any], by_id: Mapping[Any, Mapping[str, Any]], step: str | None, task_input: Any
) -> tuple[str | None, Any]:
    """The state and scheduled input of a failed task, found by following its previous events."""
    found_input = False
    event: Mapping[str, Any] | None = failed
    while event is not None:
        details = _details(event)
        if event.get("type") in _SCHEDULED and not found_input:
            task_input, found_input = _json(details.get("input", details.get("parameters"))), True
        if str(event.get("type", "")).endswith("StateEntered"):
            return details.get("name", step), task_input
        event = by_id.get(event.get("previousEventId"))
    return step, task_input


def select(
    views: Iterable[ExecutionView], *, status: str | None, source: str | None, since: datetime | None
) -> list[ExecutionView]:
    """The filters of `efw executions list` and `efw redrive --all-failed`."""
    chosen = []
    for view in views:
        started = as_time(view.started)
        if status and view.status != status.upper():
            continue
        if source and view.source != source:
            continue
        if since and (started is None or started < since):
            continue
        chosen.append(view)
    return chosen
