"""Oversized dead-letter bodies (S3, `deadletters/<source>/<key>.json`) across reprocessing: removed
once their dead letter is confirmed, kept while it lives, and a failed removal never undoes the
confirmation (a leftover body is harmless, a missing one would lose the event)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from reprocess_world import OKTA, World, okta_records
from tests.support.aws import REGION

from eventframework.reprocess import ClaimOutcome, ClaimStore, ReprocessRequest, reprocess_batch
from eventframework.state import DeadLetterStore, PageStore, StateStoreError
from eventframework.state.deadletters import MAX_INLINE_RAW_BYTES, DeadLetter


def _oversized(record: dict[str, Any]) -> dict[str, Any]:
    """The record with a field no schema or mapping reads, large enough to go to the page bucket."""
    big = copy.deepcopy(record)
    big["efwPadding"] = "z" * (MAX_INLINE_RAW_BYTES + 1_000)
    return big


def _dead_letter_in_bucket(world: World, record: dict[str, Any]) -> DeadLetter:
    world.services.deadletters.put(
        OKTA, event_key=record["uuid"], raw=record, error_kind="schema_invalid", message="old", run_id="p-1"
    )
    letter = world.services.deadletters.get(OKTA, record["uuid"])
    assert letter is not None and letter.raw is None and letter.raw_ref is not None
    return letter


def _body_keys(world: World) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_objects_v2(Bucket=world.services.settings.page_bucket, Prefix="deadletters/")
    return [entry["Key"] for entry in listed.get("Contents", [])]


def _request(run_id: str = "run-a") -> ReprocessRequest:
    return ReprocessRequest(source=OKTA, max_events=100, dry_run=False, run_id=run_id)


def test_reprocess_confirmed_dead_letter_loses_its_s3_body(world: World) -> None:
    letter = _dead_letter_in_bucket(world, _oversized(okta_records()[0]))
    assert _body_keys(world) == [f"deadletters/{OKTA}/{letter.event_key}.json"]
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["published"] == 1
    assert len(world.taken()) == 1
    assert world.services.deadletters.get(OKTA, letter.event_key) is None
    assert _body_keys(world) == []


def test_reprocess_dead_letter_the_pull_already_delivered_loses_its_s3_body(world: World) -> None:
    letter = _dead_letter_in_bucket(world, _oversized(okta_records()[0]))
    world.services.ledger(OKTA, 0).record([(letter.event_key, world.clock.now)])
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["already_published"] == 1
    assert world.services.deadletters.get(OKTA, letter.event_key) is None
    assert _body_keys(world) == []


def test_reprocess_failed_publish_keeps_the_dead_letter_and_its_s3_body(world: World) -> None:
    record = _oversized(okta_records()[0])
    letter = _dead_letter_in_bucket(world, record)
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.delete_queue(QueueUrl=world.services.settings.queue_url)
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["still_failing"] == 1
    kept = world.services.deadletters.get(OKTA, letter.event_key)
    assert kept is not None and kept.error_kind == "publish_failed" and kept.attempts == 2
    assert _body_keys(world) == [f"deadletters/{OKTA}/{letter.event_key}.json"]
    assert world.services.deadletters.load_raw(kept) == world.services.deadletters.load_raw(letter)


def _refuse_deletes(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    """A botocore before-call answer: what S3 says to a role without s3:DeleteObject."""
    error = {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform s3:DeleteObject"}}
    return AWSResponse("https://s3.local/", 403, {}, None), error


@pytest.fixture
def deletes_refused(world: World) -> World:
    """The world with a page store whose S3 DeleteObject calls fail (botocore's event system)."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.meta.events.register("before-call.s3.DeleteObject", _refuse_deletes)
    pages = PageStore(world.services.settings.page_bucket, s3)
    deadletters = DeadLetterStore(
        world.services.settings.deadletter_table, world.services.dynamodb, pages=pages, clock=world.clock
    )
    services = dataclasses.replace(world.services, pages=pages, deadletters=deadletters)
    return dataclasses.replace(world, services=services)


def test_reprocess_body_delete_failing_still_confirms_and_the_run_succeeds(deletes_refused: World) -> None:
    world = deletes_refused
    letter = _dead_letter_in_bucket(world, _oversized(okta_records()[0]))
    result = reprocess_batch(_request(), world.services, world.claims)
    assert result["totals"]["published"] == 1 and result["has_more"] is False
    assert len(world.taken()) == 1
    assert world.services.deadletters.get(OKTA, letter.event_key) is None, "the dead letter is confirmed"
    assert world.claims.claim(OKTA, letter.event_key, "run-b") is ClaimOutcome.PUBLISHED
    assert _body_keys(world) == [f"deadletters/{OKTA}/{letter.event_key}.json"], "an orphan, for lifecycle"
    again = reprocess_batch(_request("run-c"), world.services, world.claims)
    assert again["totals"]["examined"] == 0 and world.taken() == []


def _refuse_transactions(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    error = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}
    return AWSResponse("https://dynamodb.local/", 400, {}, None), error


def test_reprocess_confirmation_failing_keeps_the_s3_body(world: World) -> None:
    letter = _dead_letter_in_bucket(world, _oversized(okta_records()[0]))
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", _refuse_transactions)
    claims = ClaimStore(world.services.settings.state_table, dynamodb, clock=world.clock)
    with pytest.raises(StateStoreError, match="confirm reprocessed event"):
        reprocess_batch(_request(), world.services, claims)
    assert world.services.deadletters.get(OKTA, letter.event_key) is not None
    assert _body_keys(world) == [f"deadletters/{OKTA}/{letter.event_key}.json"], "removed only after"


def test_reprocess_dead_letter_whose_body_is_gone_is_kept_and_the_run_goes_on(world: World) -> None:
    gone = _dead_letter_in_bucket(world, _oversized(okta_records()[0]))
    boto3.client("s3", region_name=REGION).delete_object(Bucket=gone.raw_ref.bucket, Key=gone.raw_ref.key)
    fine = okta_records()[1]
    world.services.deadletters.put(
        OKTA, event_key=fine["uuid"], raw=fine, error_kind="schema_invalid", message="old", run_id="p-1"
    )
    result = reprocess_batch(_request(), world.services, world.claims)
    assert (result["totals"]["published"], result["totals"]["still_failing"]) == (1, 1)
    assert world.services.deadletters.get(OKTA, gone.event_key) is not None  # the record of what was lost
