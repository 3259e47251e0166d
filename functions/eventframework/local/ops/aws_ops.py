"""The operator commands against a deployed stack, through boto3 (profile and region as the CLI's).

The stack's outputs name the state machines and the dead-letter table (`PullStateMachineArn`,
`ReprocessStateMachineArn`, `DeadLetterTableName`, `PageBucketName`), so nothing physical is
typed by hand. Executions come from ListExecutions / DescribeExecution / GetExecutionHistory; a
redrive is RedriveExecution; a reprocess is StartExecution of the reprocess state machine, then
followed with DescribeExecution until it ends.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from eventframework.errors import EventFrameworkError
from eventframework.local.ops.local_ops import ReprocessReport, reprocess_input
from eventframework.local.ops.views import ExecutionView, FailureView, failure_from_history
from eventframework.pipeline.backfill import BackfillRange
from eventframework.state import DeadLetter, DeadLetterStore, PageStore

MACHINE_OUTPUTS = ("PullStateMachineArn", "ReprocessStateMachineArn")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})

Progress = Callable[[str, float], None]


class StackOutputError(EventFrameworkError):
    """The stack lacks an output the commands need; `stack` and `output` say which."""

    def __init__(self, stack: str, output: str) -> None:
        self.stack = stack
        self.output = output
        super().__init__(
            f"stack {stack!r} has no output {output!r}; deploy the current template.yaml "
            "(sam deploy) or pass the stack the framework was deployed as with --stack"
        )


class AwsOps:
    """Operator commands on one deployed stack."""

    def __init__(
        self,
        stack: str,
        session: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = 5.0,
        max_executions: int = 200,
    ) -> None:
        self.stack = stack
        self._session = session
        self._sleep = sleep
        self.poll_seconds = poll_seconds
        self.max_executions = max_executions
        self._outputs: dict[str, str] | None = None
        self._sfn = session.client("stepfunctions")

    @property
    def session(self) -> Any:
        """The boto3 session the commands act through (its profile and region)."""
        return self._session

    def output(self, key: str) -> str:
        if self._outputs is None:
            described = self._session.client("cloudformation").describe_stacks(StackName=self.stack)
            outputs = described["Stacks"][0].get("Outputs", [])
            self._outputs = {item["OutputKey"]: item["OutputValue"] for item in outputs}
        if key not in self._outputs:
            raise StackOutputError(self.stack, key)
        return self._outputs[key]

    def _listed(self, status: str | None) -> Iterator[dict[str, Any]]:
        for key in MACHINE_OUTPUTS:
            request: dict[str, Any] = {"stateMachineArn": self.output(key)}
            if status:
                request["statusFilter"] = status.upper()
            for page in self._sfn.get_paginator("list_executions").paginate(**request):
                yield from page.get("executions", [])

    def executions(self, status: str | None = None) -> list[ExecutionView]:
        """Newest first across both state machines, at most `max_executions` (each one described)."""
        listed = sorted(self._listed(status), key=lambda item: item["startDate"], reverse=True)
        return [
            ExecutionView.from_describe(self._sfn.describe_execution(executionArn=item["executionArn"]))
            for item in listed[: self.max_executions]
        ]

    def describe(self, arn: str) -> tuple[ExecutionView, FailureView | None]:
        described = self._sfn.describe_execution(executionArn=arn)
        view = ExecutionView.from_describe(described)
        if view.status in {"SUCCEEDED", "RUNNING"}:
            return view, None
        events = [
            event
            for page in self._sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
            for event in page.get("events", [])
        ]
        return view, failure_from_history(events, described.get("error"), described.get("cause"))

    def dead_letters(self, source: str) -> list[DeadLetter]:
        pages = PageStore(self.output("PageBucketName"), self._session.client("s3"))
        store = DeadLetterStore(
            self.output("DeadLetterTableName"), self._session.client("dynamodb"), pages=pages
        )
        return list(store.list(source))

    def reprocess(
        self,
        source: str | None,
        *,
        dry_run: bool = False,
        max_events: int | None = None,
        progress: Progress | None = None,
    ) -> ReprocessReport:
        started = self._sfn.start_execution(
            stateMachineArn=self.output("ReprocessStateMachineArn"),
            input=json.dumps(reprocess_input(source, dry_run=dry_run, max_events=max_events)),
        )
        return self.follow(started["executionArn"], progress)

    def backfill(
        self, source: str, requested: BackfillRange, progress: Progress | None = None
    ) -> ReprocessReport:
        """StartExecution of the pull state machine on a backfill range, followed to its end."""
        run_input = {
            "source": source,
            "backfill": requested.to_input(),
        }
        started = self._sfn.start_execution(
            stateMachineArn=self.output("PullStateMachineArn"),
            name=f"backfill-{source[:48]}-{uuid.uuid4().hex[:16]}",
            input=json.dumps(run_input),
        )
        return self.follow(started["executionArn"], progress)

    def redrive(self, arn: str, progress: Progress | None = None) -> ReprocessReport:
        self._sfn.redrive_execution(executionArn=arn)
        return self.follow(arn, progress)

    def follow(self, arn: str, progress: Progress | None = None) -> ReprocessReport:
        """Poll DescribeExecution until the execution ends; report its status and counts."""
        began = time.monotonic()
        while True:
            described = self._sfn.describe_execution(executionArn=arn)
            status = described["status"]
            if progress is not None:
                progress(status, time.monotonic() - began)
            if status in TERMINAL:
                break
            self._sleep(self.poll_seconds)
        output = json.loads(described.get("output") or "{}")
        totals = output if isinstance(output, Mapping) else {}
        return ReprocessReport(
            arn,
            status,
            {key: int(value) for key, value in totals.items() if isinstance(value, int)},
            described.get("error"),
            described.get("cause"),
            detail=backfill_detail(totals),
        )


def backfill_detail(output: Mapping[str, Any]) -> str | None:
    """A pull execution's backfill range, and why it had nothing to do, in words."""
    backfill = output.get("backfill")
    if not isinstance(backfill, Mapping):
        return None
    span = f"backfill {backfill.get('since')} .. {backfill.get('until')}"
    reason = output.get("nothing_to_do")
    return f"{span}: nothing to do: {reason}" if reason else span
