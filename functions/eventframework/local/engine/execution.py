"""Execution records: what DescribeExecution and GetExecutionHistory would show, as JSON-able data.

A FAILED record keeps its failure point (state, input, variables and Map/Parallel progress), so it
can be written to disk and redriven later from another process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventframework.local.engine.clock import iso_timestamp
from eventframework.local.engine.history import HistoryEvent
from eventframework.local.engine.runtime import FailurePoint


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


@dataclass
class Execution:
    """One execution of a registered state machine, in any status."""

    arn: str
    name: str
    state_machine_arn: str
    input: Any
    start_date: datetime
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    stop_date: datetime | None = None
    events: list[HistoryEvent] = field(default_factory=list)
    transitions: int = 0
    redrive_count: int = 0
    redrive_date: datetime | None = None
    failure_point: FailurePoint | None = None
    parent_arn: str | None = None

    @property
    def history(self) -> list[dict[str, Any]]:
        """AWS-shaped history events (GetExecutionHistory's `events`)."""
        return [event.to_dict() for event in self.events]

    def to_dict(self) -> dict[str, Any]:
        return {
            "executionArn": self.arn,
            "name": self.name,
            "stateMachineArn": self.state_machine_arn,
            "input": self.input,
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "startDate": iso_timestamp(self.start_date),
            "stopDate": iso_timestamp(self.stop_date) if self.stop_date else None,
            "history": self.history,
            "stateTransitions": self.transitions,
            "redriveCount": self.redrive_count,
            "redriveDate": iso_timestamp(self.redrive_date) if self.redrive_date else None,
            "failurePoint": self.failure_point.to_dict() if self.failure_point else None,
            "parentExecutionArn": self.parent_arn,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Execution:
        start = _parse_time(raw["startDate"])
        assert start is not None
        failure = raw.get("failurePoint")
        return cls(
            arn=raw["executionArn"],
            name=raw["name"],
            state_machine_arn=raw["stateMachineArn"],
            input=raw.get("input"),
            start_date=start,
            status=raw["status"],
            output=raw.get("output"),
            error=raw.get("error"),
            cause=raw.get("cause"),
            stop_date=_parse_time(raw.get("stopDate")),
            events=[HistoryEvent.from_dict(event) for event in raw.get("history", [])],
            transitions=int(raw.get("stateTransitions", 0)),
            redrive_count=int(raw.get("redriveCount", 0)),
            redrive_date=_parse_time(raw.get("redriveDate")),
            failure_point=FailurePoint.from_dict(failure) if failure else None,
            parent_arn=raw.get("parentExecutionArn"),
        )
