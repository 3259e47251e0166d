"""`efw status --stack`: the AWS reader over moto's DynamoDB and an in-memory Step Functions fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from tests.support.aws import REGION, moto_stores

from eventframework.definitions import load_source
from eventframework.local.status.aws import AwsStatusReader
from eventframework.local.status.reading import StatusSourceError
from eventframework.observability import assess

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:efw-pull"
OKTA, ONEPASSWORD = "okta-system-log", "onepassword-signin-attempts"
STARTED = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


class FakeStepFunctions:
    """ListExecutions (newest first, paginated) and DescribeExecution over a fixed list."""

    def __init__(self, executions: list[dict[str, Any]]) -> None:
        self.executions = executions
        self.described: list[str] = []

    def get_paginator(self, name: str) -> FakeStepFunctions:
        assert name == "list_executions"
        return self

    def paginate(self, stateMachineArn: str) -> Iterator[dict[str, Any]]:  # noqa: N803 (boto3's name)
        assert stateMachineArn == MACHINE
        for start in range(0, len(self.executions), 2):
            yield {
                "executions": [
                    {"executionArn": e["executionArn"]} for e in self.executions[start : start + 2]
                ]
            }

    def describe_execution(self, executionArn: str) -> dict[str, Any]:  # noqa: N803
        self.described.append(executionArn)
        return next(e for e in self.executions if e["executionArn"] == executionArn)


class Session:
    def __init__(self, sfn: FakeStepFunctions) -> None:
        self.sfn = sfn

    def client(self, name: str) -> Any:
        return self.sfn if name == "stepfunctions" else boto3.client(name, region_name=REGION)


def _execution(name: str, source: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "executionArn": f"{MACHINE.replace('stateMachine', 'execution')}:{name}",
        "name": name,
        "status": status,
        "input": json.dumps({"source": source}),
        "startDate": STARTED,
        **extra,
    }


@pytest.fixture
def tables() -> Iterator[dict[str, str]]:
    with moto_stores(deadletter_table="dead", page_bucket="", queue_name=""):
        yield {"StateTable": "state", "DeadLetterTable": "dead", "PullStateMachine": MACHINE}


def test_status_aws_reader_reads_checkpoint_ledger_dead_letters_and_last_run(tables: dict[str, str]) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    success = "2026-03-04T10:01:00+00:00"
    dynamodb.put_item(
        TableName="state",
        Item={
            "source": {"S": OKTA},
            "sk": {"S": "checkpoint"},
            "lease_owner": {"S": "run-b"},
            "lease_expires_at": {"N": "0"},
            "last_success_at": {"S": success},
        },
    )
    newest = STARTED.timestamp() - 30
    ledger = {"a": {"N": str(newest - 100)}, "b": {"N": str(newest)}}
    dynamodb.put_item(
        TableName="state", Item={"source": {"S": OKTA}, "sk": {"S": "ledger"}, "events": {"M": ledger}}
    )
    for key in ("k1", "k2"):
        dynamodb.put_item(TableName="dead", Item={"source": {"S": OKTA}, "event_key": {"S": key}})
    sfn = FakeStepFunctions(
        [
            _execution("run-c", ONEPASSWORD, "FAILED", error="SourceAuthError", cause="401"),
            _execution("run-b", OKTA, "SUCCEEDED", output=json.dumps({"published": 17}), stopDate=STARTED),
            _execution("run-a", OKTA, "FAILED"),
        ]
    )
    reader = AwsStatusReader(Session(sfn), "efw-dev", resources=tables)
    okta, onepassword = reader.states([load_source(OKTA), load_source(ONEPASSWORD)])
    assert okta.last_run is not None and (okta.last_run.name, okta.last_run.events) == ("run-b", 17)
    assert okta.last_success_at == datetime.fromisoformat(success).timestamp()
    assert (okta.newest_event_at, okta.dead_letters, okta.lease_owner) == (newest, 2, "run-b")
    assert sfn.described == [execution["executionArn"] for execution in sfn.executions[:2]], (
        "stops once found"
    )
    report = assess(onepassword, STARTED.timestamp() + 60)
    assert not report.healthy and "FAILED: SourceAuthError: 401" in report.problems[0]


def test_status_aws_reader_names_missing_stack_resources() -> None:
    reader = AwsStatusReader(Session(FakeStepFunctions([])), "efw-dev", resources={"StateTable": "state"})
    with pytest.raises(StatusSourceError) as caught:
        reader.states([load_source(OKTA)])
    assert "stack efw-dev" in str(caught.value) and "DeadLetterTable, PullStateMachine" in str(caught.value)
