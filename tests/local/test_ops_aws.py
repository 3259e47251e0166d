"""The AWS backend of the operator commands, against moto in-process.

What this proves: stack outputs are resolved, ListExecutions/DescribeExecution are read into the
same views as local records, dead letters are read from the stack's table, and `follow` polls until
the execution ends. What it does not: moto does not run state machines or RedriveExecution, so the
reprocess and redrive paths on AWS are exercised here only up to StartExecution and polling.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.support.aws import DEADLETTER_SORT_KEY, create_source_table

from eventframework.local.ops.aws_ops import AwsOps, StackOutputError
from eventframework.pipeline.backfill import BackfillRange
from eventframework.state import DeadLetterStore

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


def _deploy(session: Any) -> dict[str, str]:
    """Two state machines, the dead-letter table, a bucket, and a stack whose outputs name them."""
    sfn = session.client("stepfunctions")
    outputs = {
        key: sfn.create_state_machine(name=name, definition=DEFINITION, roleArn=ROLE)["stateMachineArn"]
        for key, name in (("PullStateMachineArn", "efw-pull"), ("ReprocessStateMachineArn", "efw-reprocess"))
    }
    create_source_table(session.client("dynamodb"), "dead", DEADLETTER_SORT_KEY)
    session.client("s3").create_bucket(Bucket="pages")
    outputs.update(DeadLetterTableName="dead", PageBucketName="pages")
    template = {
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    session.client("cloudformation").create_stack(StackName="efw", TemplateBody=json.dumps(template))
    return outputs


def test_aws_ops_lists_executions_of_both_machines_with_their_source(session: Any) -> None:
    outputs = _deploy(session)
    sfn = session.client("stepfunctions")
    sfn.start_execution(stateMachineArn=outputs["PullStateMachineArn"], input='{"source": "okta-system-log"}')
    sfn.start_execution(stateMachineArn=outputs["ReprocessStateMachineArn"], input='{"source": "duo"}')
    views = AwsOps("efw", session).executions()
    assert sorted((view.kind, view.source) for view in views) == [
        ("pull", "okta-system-log"),
        ("reprocess", "duo"),
    ]


def test_aws_ops_reads_dead_letters_from_the_stacks_table(session: Any) -> None:
    _deploy(session)
    store = DeadLetterStore("dead", session.client("dynamodb"))
    store.put("okta", event_key="e1", raw={"a": 1}, error_kind="schema_invalid", message="m", run_id="r")
    letters = AwsOps("efw", session).dead_letters("okta")
    assert [(letter.event_key, letter.error_kind) for letter in letters] == [("e1", "schema_invalid")]


def test_aws_ops_reprocess_starts_the_machine_and_follows_it_to_the_end(session: Any) -> None:
    outputs = _deploy(session)
    sfn = session.client("stepfunctions")
    polls: list[float] = []

    def stop_while_waiting(seconds: float) -> None:  # moto leaves executions RUNNING; end it here
        polls.append(seconds)
        (running,) = sfn.list_executions(stateMachineArn=outputs["ReprocessStateMachineArn"])["executions"]
        sfn.stop_execution(executionArn=running["executionArn"])

    report = AwsOps("efw", session, sleep=stop_while_waiting, poll_seconds=3).reprocess("okta", dry_run=True)
    assert report.status == "ABORTED"
    assert polls == [3]
    (started,) = sfn.list_executions(stateMachineArn=outputs["ReprocessStateMachineArn"])["executions"]
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert json.loads(described["input"]) == {"dry_run": True, "source": "okta"}


def test_aws_ops_backfill_starts_the_pull_machine_on_the_range(session: Any) -> None:
    outputs = _deploy(session)
    sfn = session.client("stepfunctions")

    def stop_while_waiting(_seconds: float) -> None:  # moto leaves executions RUNNING; end it here
        (running,) = sfn.list_executions(stateMachineArn=outputs["PullStateMachineArn"])["executions"]
        sfn.stop_execution(executionArn=running["executionArn"])

    requested = BackfillRange(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC))
    report = AwsOps("efw", session, sleep=stop_while_waiting, poll_seconds=3).backfill("okta", requested)
    assert report.status == "ABORTED"
    (started,) = sfn.list_executions(stateMachineArn=outputs["PullStateMachineArn"])["executions"]
    assert started["name"].startswith("backfill-okta-")
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert json.loads(described["input"]) == {
        "source": "okta",
        "backfill": {"since": "2026-11-01T00:00:00.000Z", "until": "2026-11-08T00:00:00.000Z"},
    }


def test_aws_ops_missing_output_names_the_stack_and_the_fix(session: Any) -> None:
    template = {"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
    session.client("cloudformation").create_stack(StackName="old", TemplateBody=json.dumps(template))
    with pytest.raises(StackOutputError, match=r"ReprocessStateMachineArn.*sam deploy"):
        AwsOps("old", session).output("ReprocessStateMachineArn")
