"""track_weakly: moto lists the model instances its backends still hold, and frees the ones they dropped."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import urllib.request
from typing import Any

import boto3

from eventframework.local.emulator.environment import patched_environment
from eventframework.local.emulator.server import EmulatorServer
from eventframework.local.emulator.tracking import WeakInstances, track_weakly, tracks_weakly


class Model:
    """Weakly referenceable, like every moto model class."""


def test_weak_instances_lists_live_instances_in_order_and_forgets_dropped_ones() -> None:
    tracked = WeakInstances()
    first, second, third = Model(), Model(), Model()
    for instance in (first, second, third):
        tracked.append(instance)
    del second
    gc.collect()
    assert list(tracked) == [first, third]
    assert len(tracked) == 2


def test_weak_instances_holds_what_cannot_be_weakly_referenced() -> None:
    tracked = WeakInstances()
    tracked.append(12345)
    tracked.append(("a", "tuple"))
    gc.collect()
    assert list(tracked) == [12345, ("a", "tuple")]


def _dashboard_items(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.loads(response.read())
    items: list[dict[str, Any]] = data["dynamodb"].get("Item", [])
    return items


def test_track_weakly_frees_overwritten_items_and_keeps_the_live_ones_listed() -> None:
    with EmulatorServer() as emulator, patched_environment(emulator.environment()):
        assert tracks_weakly(), "the emulator installs weak tracking when it starts"
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="state",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "source", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "source", "AttributeType": "S"}],
        )
        for version in range(20):  # one key written over and over, as the ledger is once per page
            dynamodb.put_item(TableName="state", Item={"source": {"S": "okta"}, "v": {"N": str(version)}})
        dynamodb.put_item(TableName="state", Item={"source": {"S": "duo"}, "v": {"N": "0"}})
        gc.collect()
        items = _dashboard_items(emulator.endpoint_url)
    assert len(items) == 2, "only the item of each key the table still holds stays tracked"


def test_track_weakly_is_idempotent() -> None:
    track_weakly()
    track_weakly()
    assert tracks_weakly()


def test_the_emulator_process_skips_the_reset_but_still_tracks_weakly() -> None:
    """The emulator process's server is the first of its process: nothing to reset, tracking still on."""
    probe = (
        "from eventframework.local.emulator.server import EmulatorServer\n"
        "from eventframework.local.emulator.tracking import tracks_weakly\n"
        "with EmulatorServer(fresh_process=True) as emulator:\n"
        "    print(tracks_weakly())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "True"
