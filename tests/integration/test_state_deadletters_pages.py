from __future__ import annotations

import pytest

from eventframework.state import DeadLetterStore, PageNotFoundError, PageRef, PageStore, page_key
from tests.support.aws import AwsResources, FakeClock


def _store(aws: AwsResources, clock: FakeClock) -> DeadLetterStore:
    return DeadLetterStore(
        aws.deadletter_table, aws.dynamodb, pages=PageStore(aws.page_bucket, aws.s3), clock=clock
    )


def test_deadletter_store_upsert_counts_attempts_and_keeps_first_seen(
    aws: AwsResources, clock: FakeClock
) -> None:
    store = _store(aws, clock)
    page = PageRef("pages", "pages/okta/run/1.json")
    raw = {"uuid": "e1"}
    store.put("okta", event_key="e1", raw=raw, error_kind="schema_invalid", message="$.published: required",
              run_id="run-1", page_ref=page)  # fmt: skip
    clock.advance(3600)
    store.put("okta", event_key="e1", raw=raw, error_kind="mozdef_invalid", message="summary empty",
              run_id="run-2")  # fmt: skip
    letter = store.get("okta", "e1")
    assert letter is not None
    assert letter.attempts == 2
    assert letter.first_seen < letter.last_seen
    assert (letter.error_kind, letter.message, letter.run_id) == ("mozdef_invalid", "summary empty", "run-2")
    assert letter.raw == '{"uuid":"e1"}'
    assert letter.page_ref == page


def test_deadletter_store_lists_and_counts_by_kind(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    for n, kind in enumerate(["schema_invalid", "schema_invalid", "publish_failed"]):
        store.put("okta", event_key=f"e{n}", raw="{}", error_kind=kind, message="m", run_id="r")
    store.put("other", event_key="x", raw="{}", error_kind="mapping_failed", message="m", run_id="r")
    assert sorted(letter.event_key for letter in store.list("okta")) == ["e0", "e1", "e2"]
    assert store.counts_by_kind("okta") == {"schema_invalid": 2, "publish_failed": 1}
    store.delete("okta", "e0")
    assert store.get("okta", "e0") is None


def test_deadletter_store_large_raw_goes_to_bucket(aws: AwsResources, clock: FakeClock) -> None:
    store = _store(aws, clock)
    raw = '{"blob":"' + "z" * 400_000 + '"}'
    store.put("okta", event_key="big", raw=raw, error_kind="unparseable_record", message="m", run_id="r")
    letter = store.get("okta", "big")
    assert letter is not None and letter.raw is None and letter.raw_ref is not None
    assert letter.raw_ref.key == "deadletters/okta/big.json"
    assert store.load_raw(letter) == raw


def test_page_store_round_trips_body_under_documented_key(aws: AwsResources) -> None:
    pages = PageStore(aws.page_bucket, aws.s3)
    ref = pages.put("okta", "exec-1", 3, b'[{"uuid":"a"}]')
    assert ref == PageRef("pages", "pages/okta/exec-1/3.json") and ref.key == page_key("okta", "exec-1", 3)
    assert pages.get(ref) == b'[{"uuid":"a"}]'


def test_page_store_missing_page_names_bucket_and_key(aws: AwsResources) -> None:
    with pytest.raises(PageNotFoundError, match=r"s3://pages/pages/okta/x/1\.json"):
        PageStore(aws.page_bucket, aws.s3).get(PageRef("pages", "pages/okta/x/1.json"))
