"""The pull state machine's checkpoint writes ("Save checkpoint", "Release the lease"), made as the
state machine makes them: the UpdateItem expressions are read from statemachines/pull.asl.json, so
a test standing in for the state machine exercises its real writes, and production code keeps no
copy of them for tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ASL = Path(__file__).resolve().parents[2] / "statemachines" / "pull.asl.json"


def _states(machine: dict[str, Any]) -> dict[str, Any]:
    """Every state of a machine by name, those of its Parallel branches included."""
    found: dict[str, Any] = {}
    for name, state in machine["States"].items():
        found[name] = state
        for branch in state.get("Branches", ()):
            found.update(_states(branch))
    return found


@cache
def _parameters(state: str) -> dict[str, Any]:
    parameters: dict[str, Any] = _states(json.loads(ASL.read_text(encoding="utf-8")))[state]["Parameters"]
    return parameters


def _update(dynamodb: Any, table: str, state: str, key: dict[str, Any], values: dict[str, Any]) -> None:
    parameters = _parameters(state)
    declared = set(parameters["ExpressionAttributeValues"])
    assert set(values) == declared, f"{state} in {ASL.name} now takes {sorted(declared)}"
    names = {key: parameters[key] for key in ("ExpressionAttributeNames",) if key in parameters}
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression=parameters["UpdateExpression"],
        ConditionExpression=parameters["ConditionExpression"],
        ExpressionAttributeValues=values,
        **names,
    )


def save_checkpoint(
    dynamodb: Any,
    table: str,
    source: str,
    cursor: str | None,
    *,
    owner: str,
    run_id: str,
    expires_at: int,
    now: str = "2023-11-14T22:13:20.000Z",
    sk: str = "checkpoint",
) -> None:
    """ "Save checkpoint": the cursor, the lease's new expiry, the time and the run, while `owner`
    holds the lease (else DynamoDB's ConditionalCheckFailedException, as the state machine sees)."""
    values = {
        ":cursor": {"S": cursor or ""},
        ":expires": {"N": str(expires_at)},
        ":now": {"S": now},
        ":run": {"S": run_id},
        ":owner": {"S": owner},
    }
    _update(dynamodb, table, "Save checkpoint", {"source": {"S": source}, "sk": {"S": sk}}, values)


def release_lease(
    dynamodb: Any,
    table: str,
    source: str,
    *,
    owner: str,
    now: str = "2023-11-14T22:13:20.000Z",
    sk: str = "checkpoint",
) -> None:
    """ "Release the lease": it expires now and the success time is recorded, while `owner` holds it."""
    values = {":expired": {"N": "0"}, ":now": {"S": now}, ":owner": {"S": owner}}
    _update(dynamodb, table, "Release the lease", {"source": {"S": source}, "sk": {"S": sk}}, values)
