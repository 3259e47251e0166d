"""One process per state directory, and leases that only a dead local process could have held."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.support.aws import REGION, create_source_table

from eventframework.local.emulator.state_lock import StateDirectoryBusyError, StateDirectoryLock
from eventframework.local.run.abandoned import release_abandoned_leases

TABLE = "state"
NOW = 1_700_000_000


def test_state_directory_lock_refuses_a_second_process_naming_the_first(tmp_path: Path) -> None:
    with StateDirectoryLock(tmp_path):
        probe = (
            "import sys; from pathlib import Path\n"
            "from eventframework.local.emulator.state_lock import StateDirectoryLock\n"
            "try:\n    StateDirectoryLock(Path(sys.argv[1])).__enter__()\n"
            "except Exception as error:\n    print(error)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    assert "another efw process (pid" in result.stdout and "--state-dir" in result.stdout


def test_state_directory_lock_is_free_again_after_its_holder_leaves(tmp_path: Path) -> None:
    with StateDirectoryLock(tmp_path):
        pass
    with StateDirectoryLock(tmp_path), pytest.raises(StateDirectoryBusyError):
        StateDirectoryLock(tmp_path).__enter__()


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_source_table(client, TABLE, "sk")
        yield client


def _lease(dynamodb: Any, source: str, owner: str, expires_at: int) -> None:
    item = {
        "source": {"S": source},
        "sk": {"S": "checkpoint"},
        "lease_owner": {"S": owner},
        "lease_expires_at": {"N": str(expires_at)},
        "lease_taken_at": {"N": str(NOW - 60)},
    }
    dynamodb.put_item(TableName=TABLE, Item=item)


def _expiry(dynamodb: Any, source: str) -> int:
    key = {"source": {"S": source}, "sk": {"S": "checkpoint"}}
    return int(dynamodb.get_item(TableName=TABLE, Key=key)["Item"]["lease_expires_at"]["N"])


def test_abandoned_leases_of_dead_or_stopped_runs_are_released_and_a_failed_runs_kept(dynamodb: Any) -> None:
    _lease(dynamodb, "killed", "exec-killed", NOW + 900)
    _lease(dynamodb, "stopped", "exec-stopped", NOW + 900)
    _lease(dynamodb, "failed", "exec-failed", NOW + 900)
    _lease(dynamodb, "expired", "exec-old", NOW - 1)
    statuses = {"exec-stopped": "ABORTED", "exec-failed": "FAILED", "exec-old": None}

    released = release_abandoned_leases(dynamodb, TABLE, statuses.get, now=NOW)

    assert {lease.source for lease in released} == {"killed", "stopped"}
    assert (_expiry(dynamodb, "killed"), _expiry(dynamodb, "stopped")) == (0, 0)
    assert _expiry(dynamodb, "failed") == NOW + 900, "redrive resumes the failed run; it keeps its lease"
    killed = next(lease for lease in released if lease.source == "killed")
    assert "exec-killed" in killed.describe() and "interrupted" in killed.describe()
