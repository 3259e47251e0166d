from __future__ import annotations

from eventframework.state import Ledger
from tests.support.aws import AwsResources


def test_ledger_records_and_reloads_seen_ids(aws: AwsResources) -> None:
    Ledger(aws.state_table, aws.dynamodb, "okta").record([("a", 100.0), ("b", 101.5)])
    fresh = Ledger(aws.state_table, aws.dynamodb, "okta")
    assert fresh.seen() == {"a", "b"}
    assert "c" not in fresh.seen()


def test_ledger_prunes_entries_older_than_window(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", window_seconds=7200)
    ledger.record([("old", 1_000.0), ("edge", 10_000.0 - 7200)])
    ledger.record([("new", 10_000.0)])
    assert Ledger(aws.state_table, aws.dynamodb, "okta").seen() == {"edge", "new"}


def test_ledger_caps_entry_count_keeping_newest(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", max_entries=50)
    ledger.record([(f"id-{n}", 1_000.0 + n) for n in range(120)])
    seen = Ledger(aws.state_table, aws.dynamodb, "okta", max_entries=50).seen()
    assert len(seen) == 50
    assert "id-119" in seen and "id-69" not in seen


def test_ledger_item_stays_under_dynamodb_limit_with_long_ids(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", max_entries=100_000)
    ledger.record([(f"{n:08d}" + "x" * 400, 1_000.0) for n in range(2_000)])  # ~850 KB unbounded
    item = aws.dynamodb.get_item(TableName="state", Key={"source": {"S": "okta"}, "sk": {"S": "ledger"}})
    size = sum(len(key) + 24 for key in item["Item"]["events"]["M"])
    assert 0 < size <= 300_000
    assert int(item["Item"]["expires_at"]["N"]) > 1_000


def test_ledger_record_nothing_writes_nothing(aws: AwsResources) -> None:
    Ledger(aws.state_table, aws.dynamodb, "okta").record([])
    item = aws.dynamodb.get_item(TableName="state", Key={"source": {"S": "okta"}, "sk": {"S": "ledger"}})
    assert "Item" not in item
