"""`efw status --stack`: read each source's state from a deployed stack (tables, pull executions).

The stack's resources are found by logical id (StateTable, DeadLetterTable, PullStateMachine), so
the reader works for any stage or prefix. It reads, never writes: GetItem, Query (COUNT),
ListExecutions and DescribeExecution on the newest `MAX_EXECUTIONS` executions only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from eventframework.definitions import SourceDefinition
from eventframework.local.status.reading import (
    DEADLETTER_TABLE,
    MAX_EXECUTIONS,
    PULL_MACHINE,
    STATE_TABLE,
    Item,
    StatusSourceError,
    build_state,
    live_source_of,
    run_record,
)
from eventframework.observability.health import RunRecord, SourceState
from eventframework.state import DeadLetterStore
from eventframework.state.checkpoint import BACKFILL_SK_PREFIX


class AwsStatusReader:
    """Reads through a boto3 session (`profile`/`region` chosen by the caller)."""

    def __init__(self, session: Any, stack: str, *, resources: Mapping[str, str] | None = None) -> None:
        """`resources` (logical id -> physical id) skips the CloudFormation lookup (tests, other stacks)."""
        self.session = session
        self.stack = stack
        self._resources = dict(resources) if resources is not None else None

    def resources(self) -> dict[str, str]:
        if self._resources is None:
            client = self.session.client("cloudformation")
            try:
                listed = client.describe_stack_resources(StackName=self.stack)["StackResources"]
            except Exception as error:  # botocore's errors carry the reason; name the stack and the fix
                raise StatusSourceError(
                    f"stack {self.stack}", f"cannot list its resources ({error})"
                ) from error
            self._resources = {row["LogicalResourceId"]: row["PhysicalResourceId"] for row in listed}
        missing = {STATE_TABLE, DEADLETTER_TABLE, PULL_MACHINE} - set(self._resources)
        if missing:
            raise StatusSourceError(
                f"stack {self.stack}", f"has no {', '.join(sorted(missing))}; wrong --stack?"
            )
        return self._resources

    def _item(self, dynamodb: Any, table: str, source: str, sk: str) -> Item | None:
        key = {"source": {"S": source}, "sk": {"S": sk}}
        item: Item | None = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return item

    def _backfills(self, dynamodb: Any, table: str, source: str) -> list[Item]:
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="#s = :s AND begins_with(sk, :prefix)",
            ExpressionAttributeNames={"#s": "source"},
            ExpressionAttributeValues={":s": {"S": source}, ":prefix": {"S": BACKFILL_SK_PREFIX}},
        )
        return [item for page in pages for item in page.get("Items", [])]

    def _last_runs(self, machine: str, wanted: set[str]) -> dict[str, RunRecord]:
        """Newest execution per wanted source, describing executions newest first until all are found."""
        sfn = self.session.client("stepfunctions")
        found: dict[str, RunRecord] = {}
        seen = 0
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
            for summary in page["executions"]:
                seen += 1
                described = sfn.describe_execution(executionArn=summary["executionArn"])
                source = live_source_of(described)
                if source in wanted and source not in found:
                    found[source] = run_record(described)
                if seen >= MAX_EXECUTIONS or set(found) == wanted:
                    return found
        return found

    def _status_of(self, machine: str, name: str) -> str | None:
        """The status of the pull execution called `name` (a lease names its holder so)."""
        arn = machine.replace(":stateMachine:", ":execution:", 1) + f":{name}"
        try:
            status: str = self.session.client("stepfunctions").describe_execution(executionArn=arn)["status"]
        except ClientError:  # an unknown name, or no right to read it: the status stays unknown
            return None
        return status

    def states(self, definitions: Iterable[SourceDefinition]) -> list[SourceState]:
        resources = self.resources()
        dynamodb = self.session.client("dynamodb")
        chosen = list(definitions)
        runs = self._last_runs(resources[PULL_MACHINE], {definition.id for definition in chosen})
        state_table, dead_table = resources[STATE_TABLE], resources[DEADLETTER_TABLE]
        return [
            build_state(
                definition,
                checkpoint=self._item(dynamodb, state_table, definition.id, "checkpoint"),
                ledger=self._item(dynamodb, state_table, definition.id, "ledger"),
                dead_letters=DeadLetterStore(dead_table, dynamodb).count(definition.id),
                last_run=runs.get(definition.id),
                status_of=lambda name: self._status_of(resources[PULL_MACHINE], name),
                backfills=self._backfills(dynamodb, state_table, definition.id),
            )
            for definition in chosen
        ]
