"""`efw executions|deadletters` on a state directory: readable tables, `--json` for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventframework.local.cli import main

ARN = "arn:aws:states:us-east-1:123456789012:execution:PullStateMachine:run-1"


def _state_dir(root: Path) -> Path:
    state = root / ".efw"
    (state / "executions").mkdir(parents=True)
    fetch_input = {"source": "okta-system-log", "cursor": "https://okta/logs?after=x", "page_number": 4}
    record = {
        "executionArn": ARN,
        "name": "run-1",
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:PullStateMachine",
        "input": {"source": "okta-system-log"},
        "status": "FAILED",
        "error": "SourceUnavailableError",
        "cause": json.dumps(
            {"errorMessage": "okta-system-log: source unavailable: HTTP 500", "stackTrace": []}
        ),
        "startDate": "2026-11-27T10:00:00Z",
        "stopDate": "2026-11-27T10:05:00Z",
        "history": [
            {"id": 1, "previousEventId": 0, "timestamp": "2026-11-27T10:00:00Z", "type": "ExecutionStarted"},
            {
                "id": 2,
                "previousEventId": 1,
                "timestamp": "2026-11-27T10:00:01Z",
                "type": "TaskStateEntered",
                "stateEnteredEventDetails": {"name": "Fetch page"},
            },
            {
                "id": 3,
                "previousEventId": 2,
                "timestamp": "2026-11-27T10:00:01Z",
                "type": "LambdaFunctionScheduled",
                "lambdaFunctionScheduledEventDetails": {"input": json.dumps(fetch_input)},
            },
        ],
    }
    (state / "executions" / "run-1.json").write_text(json.dumps(record))
    (state / "tables").mkdir()
    letters = [
        {
            "source": {"S": "okta-system-log"},
            "event_key": {"S": f"e{n}"},
            "raw": {"S": json.dumps({"uuid": f"e{n}"})},
            "error_kind": {"S": kind},
            "message": {"S": f"raw event $.eventType: {kind}"},
            "attempts": {"N": "1"},
        }
        for n, kind in enumerate(["schema_invalid", "schema_invalid", "mapping_failed"])
    ]
    (state / "tables" / "DeadLetterTable.jsonl").write_text(
        "".join(json.dumps(item) + "\n" for item in letters)
    )
    return state


def test_ops_cli_executions_show_names_step_page_cursor_and_the_short_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = _state_dir(tmp_path)
    assert main(["executions", "show", ARN, "--state-dir", str(state)]) == 0
    shown = capsys.readouterr().out
    for expected in ("Fetch page", "SourceUnavailableError", "HTTP 500", "page            4", "after=x"):
        assert expected in shown
    assert "stackTrace" not in shown
    assert main(["executions", "show", ARN, "--state-dir", str(state), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failure"]["page_number"] == 4 and "stackTrace" in data["failure"]["cause"]


def test_ops_cli_executions_list_filters_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = _state_dir(tmp_path)
    assert main(["executions", "list", "--status", "FAILED", "--state-dir", str(state), "--json"]) == 0
    assert [row["arn"] for row in json.loads(capsys.readouterr().out)] == [ARN]
    assert main(["executions", "list", "--source", "duo", "--state-dir", str(state)]) == 0
    assert capsys.readouterr().out.strip() == "no executions match"


def test_ops_cli_deadletters_list_counts_by_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = _state_dir(tmp_path)
    assert main(["deadletters", "list", "okta-system-log", "--state-dir", str(state), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "source": "okta-system-log",
        "total": 3,
        "by_reason": {"schema_invalid": 2, "mapping_failed": 1},
    }
    assert (
        main(
            [
                "deadletters",
                "show",
                "okta-system-log",
                "--reason",
                "mapping_failed",
                "--state-dir",
                str(state),
            ]
        )
        == 0
    )
    shown = capsys.readouterr().out
    assert "e2" in shown and "e0" not in shown


def test_ops_cli_redrive_wants_one_arn_or_all_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["redrive", "--state-dir", str(_state_dir(tmp_path))]) == 2
    assert "--all-failed" in capsys.readouterr().err


def test_ops_cli_profile_without_stack_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["executions", "list", "--profile", "prod"]) == 2
    assert "--stack" in capsys.readouterr().err
