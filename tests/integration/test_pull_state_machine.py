"""statemachines/pull.asl.json run from template.yaml on the local engine, with the real handlers
in-process, DynamoDB/S3/SQS in moto and the sandbox API on loopback; a virtual clock, no sleeps."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from eventframework.handlers import process_page
from eventframework.local.engine import AwsConfig, Engine, Execution, VirtualClock
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.sandbox import Fault, Sandbox
from eventframework.state import CheckpointStore
from tests.support.aws import REGION, AwsResources

REPO = Path(__file__).resolve().parents[2]
SOURCE = "okta-system-log"


def _sandbox(monkeypatch: pytest.MonkeyPatch, events: int) -> Sandbox:
    sandbox = Sandbox(events={SOURCE: events}, seed=5, token="sandbox-token")
    sandbox.__enter__()
    secret = json.dumps({"base_url": sandbox.base_url, "token": "sandbox-token"})
    monkeypatch.setenv("EFW_SECRET_OKTA_SYSTEM_LOG", secret)
    return sandbox


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    running = _sandbox(monkeypatch, 250)
    yield running
    running.__exit__(None, None, None)


def _override_definition(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **replacements: str) -> None:
    """Run against a copy of sources/ whose okta definition has some lines replaced."""
    sources = tmp_path / "sources"
    shutil.copytree(REPO / "sources", sources)
    path = sources / f"{SOURCE}.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in replacements.items():
        text, count = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.MULTILINE)
        assert count == 1, key
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("EFW_SOURCES_DIR", str(sources))
    monkeypatch.setenv("EFW_SCHEMAS_DIR", str(REPO / "schemas"))


def _engine(
    aws: AwsResources, lambdas: dict[str, LambdaHandler] | None = None
) -> tuple[Engine, str, VirtualClock]:
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    engine = Engine(clock=clock, aws=AwsConfig(region=REGION))
    names = {"StateTable": aws.state_table}

    def resolve(logical_id: str, attribute: str | None) -> str:
        return names[logical_id]

    machine = engine.register_from_template(
        REPO / "template.yaml", "PullStateMachine", resolver=resolve, lambdas=lambdas
    )
    return engine, machine.arn, clock


def _lambda_calls(execution: Execution) -> int:
    return sum(1 for event in execution.history if event["type"] == "LambdaFunctionScheduled")


def _delivered(aws: AwsResources) -> list[str]:
    return [json.loads(body)["details"]["source_event_id"] for body in aws.queue_bodies()]


def test_pull_state_machine_delivers_every_event_once_and_releases_lease(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    engine, arn, _ = _engine(pipeline)
    execution = engine.start(arn, {"source": SOURCE})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["published"] == 250 and execution.output["dead_lettered"] == 0
    assert sorted(_delivered(pipeline)) == sorted(event["uuid"] for event in sandbox.events(SOURCE))
    checkpoint = CheckpointStore(pipeline.state_table, pipeline.dynamodb).read(SOURCE)
    assert checkpoint is not None and checkpoint.cursor and checkpoint.lease_expires_at == 0
    assert checkpoint.last_success_at is not None and checkpoint.last_run_id == execution.arn
    again = engine.start(arn, {"source": SOURCE})  # the next scheduled run resumes at the checkpoint
    assert again.status == "SUCCEEDED" and again.output["published"] == 0
    assert _delivered(pipeline) == []


def test_pull_state_machine_per_page_cost_is_five_transitions_two_lambdas(
    pipeline: AwsResources, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _override_definition(monkeypatch, tmp_path, page_size="100")
    runs: list[tuple[int, int, int]] = []
    for events in (150, 650):
        pipeline.queue_bodies()
        pipeline.dynamodb.delete_item(
            TableName=pipeline.state_table, Key={"source": {"S": SOURCE}, "sk": {"S": "checkpoint"}}
        )
        sandbox = _sandbox(monkeypatch, events)
        try:
            engine, arn, _ = _engine(pipeline)
            execution = engine.start(arn, {"source": SOURCE})
        finally:
            sandbox.__exit__(None, None, None)
        assert execution.status == "SUCCEEDED", execution.cause
        runs.append((execution.output["pages"], execution.transitions, _lambda_calls(execution)))
    (pages_a, transitions_a, lambdas_a), (pages_b, transitions_b, lambdas_b) = runs
    assert pages_b > pages_a
    assert (transitions_b - transitions_a) / (pages_b - pages_a) <= 5
    assert (lambdas_b - lambdas_a) / (pages_b - pages_a) == 2


def test_pull_state_machine_second_run_exits_cleanly_while_lease_held(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    CheckpointStore(pipeline.state_table, pipeline.dynamodb).acquire(SOURCE, "another-run")
    engine, arn, _ = _engine(pipeline)
    execution = engine.start(arn, {"source": SOURCE})
    assert execution.status == "SUCCEEDED"
    assert execution.output["acquired"] is False and execution.output["lease"]["owner"] == "another-run"
    assert sandbox.requests(SOURCE) == []


def test_pull_state_machine_waits_exactly_the_rate_limit_then_fetches_again(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    sandbox.inject(SOURCE, Fault.http_status(429, times=1, retry_after=7))
    engine, arn, clock = _engine(pipeline)
    execution = engine.start(arn, {"source": SOURCE})
    assert execution.status == "SUCCEEDED", execution.cause
    assert 7 in clock.slept
    assert any(event["type"] == "WaitStateEntered" for event in execution.history)
    assert len(set(_delivered(pipeline))) == 250


def test_pull_state_machine_exhausted_retries_fail_at_fetch_and_redrive_resumes(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    engine, arn, _ = _engine(pipeline)
    sandbox.inject(SOURCE, Fault.on_page(2, Fault.http_status(503, times=6)))
    failed = engine.start(arn, {"source": SOURCE})
    assert failed.status == "FAILED" and failed.error == "SourceUnavailableError"
    assert len(_delivered(pipeline)) == 250  # page 1 was delivered and checkpointed before the failure
    redriven = engine.redrive(failed.arn)
    assert redriven.status == "SUCCEEDED", redriven.cause
    assert _delivered(pipeline) == []  # nothing published twice


def test_pull_state_machine_page_cap_continues_in_fresh_execution(
    pipeline: AwsResources, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _override_definition(monkeypatch, tmp_path, max_pages_per_execution="1", page_size="100")
    engine, arn, _ = _engine(pipeline)
    first = engine.start(arn, {"source": SOURCE})
    assert first.status == "SUCCEEDED", first.cause
    assert first.output["pages"] == 1 and "continued_in" in first.output
    executions = engine.executions
    assert len(executions) >= 3 and all(execution.status == "SUCCEEDED" for execution in executions)
    assert executions[1].input["lease"]["owner"] == first.name
    delivered = _delivered(pipeline)
    assert sorted(delivered) == sorted(event["uuid"] for event in sandbox.events(SOURCE))


def test_pull_state_machine_lost_checkpoint_does_not_republish(
    pipeline: AwsResources, sandbox: Sandbox
) -> None:
    """A crash after publish but before the checkpoint means the next run re-reads those pages: the
    ledger drops every event already delivered."""
    engine, arn, _ = _engine(pipeline)
    assert engine.start(arn, {"source": SOURCE}).status == "SUCCEEDED"
    assert len(_delivered(pipeline)) == 250
    pipeline.dynamodb.delete_item(
        TableName=pipeline.state_table, Key={"source": {"S": SOURCE}, "sk": {"S": "checkpoint"}}
    )
    rerun = engine.start(arn, {"source": SOURCE})
    assert rerun.status == "SUCCEEDED", rerun.cause
    assert (rerun.output["published"], rerun.output["duplicates"]) == (0, 250)
    assert _delivered(pipeline) == []


def test_pull_state_machine_stops_when_lease_was_taken_over(pipeline: AwsResources, sandbox: Sandbox) -> None:
    """A run whose lease expired and went to another run must not overwrite that run's checkpoint."""

    def process_then_lose_lease(event: dict[str, Any], context: Any) -> Any:
        result = process_page.lambda_handler(event, context)
        pipeline.dynamodb.update_item(
            TableName=pipeline.state_table,
            Key={"source": {"S": SOURCE}, "sk": {"S": "checkpoint"}},
            UpdateExpression="SET lease_owner = :thief",
            ExpressionAttributeValues={":thief": {"S": "newer-run"}},
        )
        return result

    arn = f"arn:aws:lambda:{REGION}:123456789012:function:ProcessPageFunction"
    engine, machine, _ = _engine(pipeline, lambdas={arn: process_then_lose_lease})
    execution = engine.start(machine, {"source": SOURCE})
    assert execution.status == "FAILED"
    assert execution.error == "DynamoDB.ConditionalCheckFailedException"
    checkpoint = CheckpointStore(pipeline.state_table, pipeline.dynamodb).read(SOURCE)
    assert checkpoint is not None and checkpoint.cursor is None and checkpoint.lease_owner == "newer-run"
