from __future__ import annotations

import zlib

import orjson
import pytest

from eventframework.state import Ledger
from eventframework.state.ledger import MAX_ITEM_BYTES, decode_entries, newest_epoch
from tests.support.aws import AwsResources

KEY = {"source": {"S": "okta"}, "sk": {"S": "ledger"}}


def test_ledger_records_and_reloads_seen_ids(aws: AwsResources) -> None:
    Ledger(aws.state_table, aws.dynamodb, "okta").record([("a", 100.0), ("b", 101.5)])
    fresh = Ledger(aws.state_table, aws.dynamodb, "okta")
    assert fresh.seen() == {"a", "b"}
    assert "c" not in fresh.seen()


def test_ledger_prunes_entries_older_than_window(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", window_seconds=7200, page_size=1)
    for page in (("old", 1_000.0), ("edge", 10_000.0 - 7200), ("newer", 9_000.0), ("new", 10_000.0)):
        ledger.record([page])
    assert Ledger(aws.state_table, aws.dynamodb, "okta").seen() == {"edge", "newer", "new"}


def test_ledger_without_lag_keeps_the_last_two_pages_whatever_their_age(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", page_size=3)
    pages = [[(f"p{page}-{n}", 1_000.0 + page * 86_400 + n) for n in range(3)] for page in range(4)]
    for page in pages:
        ledger.record(page)
    seen = Ledger(aws.state_table, aws.dynamodb, "okta").seen()
    assert seen == {event_id for event_id, _ in pages[2] + pages[3]}, "a day apart, still both kept"


def test_ledger_keeps_two_pages_when_a_page_holds_more_ids_than_page_size(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", page_size=2)
    ledger.record([(f"a{n}", 100.0) for n in range(5)])
    ledger.record([(f"b{n}", 200.0) for n in range(5)])
    assert len(Ledger(aws.state_table, aws.dynamodb, "okta").seen()) == 10


def test_ledger_lag_source_keeps_its_lag_window_beyond_two_pages(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "slack", window_seconds=300, page_size=1)
    for minute in range(10):  # one id a minute, one page each: 10 pages over 9 minutes
        ledger.record([(f"m{minute}", 1_700_000_000.0 + 60 * minute)])
    seen = Ledger(aws.state_table, aws.dynamodb, "slack").seen()
    assert seen == {f"m{minute}" for minute in range(4, 10)}, "the newest minus 300 s, edge included"


def test_ledger_page_of_duplicates_only_leaves_the_window_untouched(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", page_size=1)
    ledger.record([("a", 100.0)])
    ledger.record([("b", 200.0)])
    Ledger(aws.state_table, aws.dynamodb, "okta", page_size=1).record([("b", 200.0)])  # a re-fetch
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", page_size=1)
    assert ledger.seen() == {"a", "b"}, "a page that delivered nothing new must not push a page out"


def test_ledger_caps_entry_count_keeping_newest(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", max_entries=50)
    ledger.record([(f"id-{n}", 1_000.0 + n) for n in range(120)])
    seen = Ledger(aws.state_table, aws.dynamodb, "okta", max_entries=50).seen()
    assert len(seen) == 50
    assert "id-119" in seen and "id-69" not in seen


def test_ledger_item_stays_under_dynamodb_limit_with_long_ids(aws: AwsResources) -> None:
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", max_entries=100_000)
    ledger.record([(f"{n:08d}" + "x" * 400, 1_000.0) for n in range(2_000)])  # ~850 KB unbounded
    item = aws.dynamodb.get_item(TableName="state", Key=KEY)["Item"]
    size = sum(len(key) + 24 for key in decode_entries(item))
    assert 0 < size <= MAX_ITEM_BYTES
    assert len(item["window"]["B"]) <= MAX_ITEM_BYTES
    assert int(item["expires_at"]["N"]) > 1_000


def test_ledger_stores_window_as_one_binary_attribute_with_exact_epochs(aws: AwsResources) -> None:
    delivered = [("a", 1_700_000_000.123456), ('b\t"odd"', 1_700_000_001.5), ("c", 1_700_000_002.0)]
    Ledger(aws.state_table, aws.dynamodb, "okta").record(delivered)
    item = aws.dynamodb.get_item(TableName="state", Key=KEY)["Item"]
    assert set(item) == {"source", "sk", "window", "expires_at"}
    assert decode_entries(item) == dict(delivered)
    assert newest_epoch(item) == 1_700_000_002.0
    assert int(item["expires_at"]["N"]) == 1_700_000_002 + 30 * 86400


def test_ledger_reads_the_earlier_map_layout_and_rewrites_it(aws: AwsResources) -> None:
    old = {"a": {"N": "100"}, "b": {"N": "101.5"}}
    aws.dynamodb.put_item(TableName="state", Item={**KEY, "events": {"M": old}})
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta")
    assert ledger.seen() == {"a", "b"}
    ledger.record([("c", 102.0)])
    item = aws.dynamodb.get_item(TableName="state", Key=KEY)["Item"]
    assert "events" not in item
    assert decode_entries(item) == {"a": 100.0, "b": 101.5, "c": 102.0}


def test_ledger_record_nothing_writes_nothing(aws: AwsResources) -> None:
    Ledger(aws.state_table, aws.dynamodb, "okta").record([])
    item = aws.dynamodb.get_item(TableName="state", Key=KEY)
    assert "Item" not in item
    assert newest_epoch(None) is None


def test_ledger_size_budget_counts_utf8_bytes_of_non_ascii_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventframework.state import ledger as ledger_module

    monkeypatch.setattr(ledger_module, "MAX_ITEM_BYTES", 110)
    ledger = Ledger("t", None, "okta", window_seconds=3600)  # type: ignore[arg-type]
    ascii_ids = {f"{'e' * 9}{n}": 1_700_000_000.0 - n for n in range(5)}  # 10 + 24 bytes each
    accented = {f"{'é' * 9}{n}": 1_700_000_000.0 - n for n in range(5)}  # 19 + 24 bytes each
    assert [event_id for event_id, _ in ledger._pruned(ascii_ids, {})] == [
        "eeeeeeeee0",
        "eeeeeeeee1",
        "eeeeeeeee2",
    ]
    assert [event_id for event_id, _ in ledger._pruned(accented, {})] == ["ééééééééé0", "ééééééééé1"]


def test_ledger_keeps_epochs_finer_than_a_microsecond_exactly(aws: AwsResources) -> None:
    delivered = [("fine", 1_700_000_000.1234567), ("coarse", 1_700_000_001.25)]
    Ledger(aws.state_table, aws.dynamodb, "okta").record(delivered)
    item = aws.dynamodb.get_item(TableName="state", Key=KEY)["Item"]
    assert decode_entries(item) == dict(delivered)


def test_ledger_reads_the_earlier_pair_list_layout_as_the_last_page(aws: AwsResources) -> None:
    pairs = [["b", 101.5], ["a", 100.0]]
    blob = zlib.compress(orjson.dumps(pairs))
    aws.dynamodb.put_item(TableName="state", Item={**KEY, "window": {"B": blob}})
    ledger = Ledger(aws.state_table, aws.dynamodb, "okta", page_size=2)
    assert ledger.seen() == {"a", "b"}
    ledger.record([("c", 102.0)])
    item = aws.dynamodb.get_item(TableName="state", Key=KEY)["Item"]
    assert decode_entries(item) == {"c": 102.0, "b": 101.5, "a": 100.0}
