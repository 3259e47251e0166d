from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from eventframework.state import CheckpointStore, LeaseLostError
from tests.support.asl_writes import release_lease, save_checkpoint
from tests.support.aws import AwsResources, FakeClock


def _store(aws: AwsResources, clock: FakeClock) -> CheckpointStore:
    return CheckpointStore(aws.state_table, aws.dynamodb, clock=clock, lease_seconds=600)


def test_checkpoint_store_first_acquire_takes_free_lease(aws: AwsResources, clock: FakeClock) -> None:
    result = _store(aws, clock).acquire("okta", "run-1")
    assert result.acquired is True
    assert result.lease.owner == "run-1"
    assert result.lease.expires_at == int(clock.now) + 600
    assert result.cursor is None


def test_checkpoint_store_second_run_sees_lease_held_without_failing(
    aws: AwsResources, clock: FakeClock
) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    clock.advance(30)
    second = store.acquire("okta", "run-2")
    assert second.acquired is False
    assert second.lease.owner == "run-1"


def test_checkpoint_store_expired_lease_can_be_taken(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    clock.advance(601)
    assert store.acquire("okta", "run-2").acquired is True
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):  # the state machine's write fails
        save_checkpoint(
            aws.dynamodb, aws.state_table, "okta", "c1", owner="run-1", run_id="arn:1", expires_at=1
        )


def test_checkpoint_store_require_lease_refuses_a_run_whose_lease_was_taken(
    aws: AwsResources, clock: FakeClock
) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    store.require_lease("okta", "run-1")
    clock.advance(601)
    store.acquire("okta", "run-2")
    with pytest.raises(LeaseLostError, match="nothing of this page was published"):
        store.require_lease("okta", "run-1")
    with pytest.raises(LeaseLostError):
        store.require_lease("never-pulled", "run-1")


def test_checkpoint_store_reacquire_by_same_owner_is_idempotent(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    assert store.acquire("okta", "run-1").acquired is True


def test_checkpoint_store_handover_passes_live_lease(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    save_checkpoint(
        aws.dynamodb, aws.state_table, "okta", "cursor-9", owner="run-1", run_id="arn:1", expires_at=1
    )
    handed = store.acquire("okta", "run-1-next", handed_over_from="run-1")
    assert handed.acquired is True
    assert handed.cursor == "cursor-9"
    assert store.acquire("okta", "intruder").acquired is False


def test_checkpoint_store_reads_what_the_state_machine_saved(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    clock.advance(10)
    expires = store.lease_expiry()
    save_checkpoint(
        aws.dynamodb,
        aws.state_table,
        "okta",
        "after=abc",
        owner="run-1",
        run_id="arn:exec:1",
        expires_at=expires,
    )
    checkpoint = store.read("okta")
    assert checkpoint is not None
    assert checkpoint.cursor == "after=abc"
    assert checkpoint.lease_expires_at == expires == int(clock.now) + 600
    assert checkpoint.last_run_id == "arn:exec:1"
    assert checkpoint.updated_at is not None and checkpoint.updated_at.startswith("2023-11-14T")


def test_checkpoint_store_lease_released_by_the_state_machine_is_free(
    aws: AwsResources, clock: FakeClock
) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    release_lease(aws.dynamodb, aws.state_table, "okta", owner="run-1")
    checkpoint = store.read("okta")
    assert checkpoint is not None and checkpoint.last_success_at is not None
    assert store.acquire("okta", "run-2").acquired is True


def test_checkpoint_store_empty_cursor_reads_as_none(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    store.acquire("okta", "run-1")
    save_checkpoint(aws.dynamodb, aws.state_table, "okta", None, owner="run-1", run_id="arn:1", expires_at=1)
    checkpoint = store.read("okta")
    assert checkpoint is not None and checkpoint.cursor is None
    assert store.read("unknown") is None
