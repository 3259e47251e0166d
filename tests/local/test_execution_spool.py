"""ExecutionRecords.spool on the engine's on_finished hook: a succeeded record goes to disk as it
finishes and its history leaves memory; a failed one stays whole for its redrive."""

from __future__ import annotations

import json
from pathlib import Path

from eventframework.local.emulator.deployment import ExecutionRecords
from eventframework.local.engine import Engine, VirtualClock

PASSING = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"pages": 1}, "End": True}}}
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}}


def _engine(records: ExecutionRecords) -> Engine:
    engine = Engine(clock=VirtualClock())
    engine.on_finished.append(records.spool)
    return engine


def test_execution_records_spool_writes_a_succeeded_record_and_frees_its_history(tmp_path: Path) -> None:
    records = ExecutionRecords(tmp_path)
    engine = _engine(records)
    execution = engine.start(engine.register(PASSING, "pull").arn, {"source": "okta"})
    stored = json.loads(records.path(execution.arn).read_text())
    assert stored["status"] == "SUCCEEDED" and stored["output"] == {"pages": 1}
    assert stored["history"][0]["type"] == "ExecutionStarted"
    assert stored["history"][-1]["type"] == "ExecutionSucceeded"
    assert execution.events == [] and execution.output == {"pages": 1}
    records.save(engine.executions)  # the end-of-run save must not overwrite it with no history
    assert json.loads(records.path(execution.arn).read_text())["history"] == stored["history"]


def test_execution_records_spool_leaves_a_failed_execution_whole_for_its_redrive(tmp_path: Path) -> None:
    records = ExecutionRecords(tmp_path)
    engine = _engine(records)
    execution = engine.start(engine.register(FAILING, "pull").arn, {})
    assert execution.status == "FAILED"
    assert not records.path(execution.arn).exists()
    assert execution.events[-1].type == "ExecutionFailed"
    records.save(engine.executions)
    assert records.load(execution.arn).events[-1].type == "ExecutionFailed"


def test_engine_on_finished_runs_for_each_execution_before_its_queued_children(tmp_path: Path) -> None:
    engine = Engine(clock=VirtualClock())
    child = engine.register(PASSING, "child")
    parent_definition = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution",
                "Parameters": {"StateMachineArn": child.arn, "Input": {}},
                "End": True,
            }
        },
    }
    seen: list[tuple[str, str]] = []
    engine.on_finished.append(lambda done: seen.append((done.name, done.status)))
    parent = engine.start(engine.register(parent_definition, "parent").arn, {}, name="first")
    assert parent.status == "SUCCEEDED", parent.cause
    assert seen[0][0] == "first"
    assert [status for _, status in seen] == ["SUCCEEDED", "SUCCEEDED"]
