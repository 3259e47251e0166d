"""The write-ahead journal and its recovery: committed writes come back, an unfinished step does not.

In-process moto under two sessions stands in for "the process that died" and "the next run": the
first journals its writes through botocore's hooks; the second starts from empty tables and
`recover` must rebuild exactly what was committed, trimming the delivered-events file to match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.support.aws import REGION, create_source_table

from eventframework.local.emulator.journal import JOURNAL_FILE, JournalError, WriteJournal, recover
from eventframework.local.emulator.local_bucket import LocalBucket
from eventframework.local.emulator.local_queue import LocalQueue
from eventframework.local.emulator.snapshot import save_tables, settle_tables

TABLE = "state"


@pytest.fixture
def session() -> Iterator[boto3.session.Session]:
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        create_source_table(session.client("dynamodb"), TABLE, "sk")
        session.client("s3").create_bucket(Bucket="pages")
        yield session


def _put(dynamodb: Any, sk: str, value: str) -> None:
    item = {"source": {"S": "okta"}, "sk": {"S": sk}, "value": {"S": value}, "raw": {"B": b"\x00\x01"}}
    dynamodb.put_item(TableName=TABLE, Item=item)


def _items(dynamodb: Any) -> dict[str, str]:
    return {item["sk"]["S"]: item["value"]["S"] for item in dynamodb.scan(TableName=TABLE)["Items"]}


def _fresh_tables(session: boto3.session.Session) -> Any:
    """The next run's emulator: the same table, empty."""
    dynamodb = session.client("dynamodb")
    dynamodb.delete_table(TableName=TABLE)
    create_source_table(dynamodb, TABLE, "sk")
    return dynamodb


def test_journal_recovery_replays_committed_writes_and_drops_an_unfinished_step(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    queue = LocalQueue("https://queue/mozdef", tmp_path / "out.jsonl").start()
    journal = WriteJournal(tmp_path, session.events, queue).start()
    dynamodb = session.client("dynamodb")  # made after start: it carries the journal's hooks
    _put(dynamodb, "checkpoint", "page-1")
    queue.send_message_batch(QueueUrl="https://queue/mozdef", Entries=[{"Id": "0", "MessageBody": "{}"}])
    journal.commit()
    _put(dynamodb, "checkpoint", "page-2")  # the step that never finished
    queue.send_message_batch(QueueUrl="https://queue/mozdef", Entries=[{"Id": "0", "MessageBody": "[]"}])

    fresh = _fresh_tables(session)
    recovery = recover(tmp_path, {"dynamodb": fresh, "s3": session.client("s3")}.__getitem__)

    assert _items(fresh) == {"checkpoint": "page-1"}
    assert fresh.scan(TableName=TABLE)["Items"][0]["raw"]["B"] == b"\x00\x01", "binary survives"
    assert (recovery.replayed, recovery.dropped) == (1, 1)
    assert recovery.interrupted and recovery.truncated_bytes == 3
    assert (tmp_path / "out.jsonl").read_text() == "{}\n", "the unfinished step's event is gone"


def test_journal_ignores_failed_writes_and_reads(session: boto3.session.Session, tmp_path: Path) -> None:
    journal = WriteJournal(tmp_path, session.events).start()
    dynamodb = session.client("dynamodb")
    _put(dynamodb, "checkpoint", "a")
    dynamodb.get_item(TableName=TABLE, Key={"source": {"S": "okta"}, "sk": {"S": "checkpoint"}})
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(
            TableName=TABLE,
            Item={"source": {"S": "okta"}, "sk": {"S": "checkpoint"}},
            ConditionExpression="attribute_not_exists(sk)",
        )
    journal.stop()
    records = [json.loads(line) for line in (tmp_path / JOURNAL_FILE).read_text().splitlines()]
    assert [record.get("op") for record in records if "op" in record] == ["PutItem"]


def test_journal_leaves_s3_to_the_local_bucket_and_still_replays_an_older_journals_s3_writes(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    """The page bucket is files, durable on its own (local_bucket.py): S3 calls are not journaled.
    A journal written before that (a dead-letter body put, then deleted) replays into the bucket."""
    journal = WriteJournal(tmp_path, session.events).start()
    session.client("s3").put_object(Bucket="pages", Key="deadletters/okta/e0.json", Body=b"{}")
    journal.stop()
    assert not [line for line in (tmp_path / JOURNAL_FILE).read_text().splitlines() if '"op"' in line]

    body = {"__b64__": "eyJiaWciOiAxfQ=="}  # b'{"big": 1}'
    older = [
        {
            "service": "s3",
            "op": "PutObject",
            "params": {"Bucket": "pages", "Key": "deadletters/okta/e1.json", "Body": body},
        },
        {
            "service": "s3",
            "op": "PutObject",
            "params": {"Bucket": "pages", "Key": "deadletters/okta/e2.json", "Body": body},
        },
        {
            "service": "s3",
            "op": "DeleteObject",
            "params": {"Bucket": "pages", "Key": "deadletters/okta/e2.json"},
        },
        {"commit": 1},
    ]
    (tmp_path / JOURNAL_FILE).write_text("".join(json.dumps(record) + "\n" for record in older))
    bucket = LocalBucket("pages", tmp_path / "bucket").start()
    assert recover(tmp_path, {"s3": bucket}.__getitem__).replayed == 3
    assert list(bucket.keys()) == ["deadletters/okta/e1.json"]
    assert bucket.get_object(Bucket="pages", Key="deadletters/okta/e1.json")["Body"].read() == b'{"big": 1}'


def _journal_one_committed_checkpoint(session: boto3.session.Session, directory: Path) -> None:
    journal = WriteJournal(directory, session.events).start()
    _put(session.client("dynamodb"), "checkpoint", "page-1")
    journal.commit()
    journal.stop()


def test_journal_recovery_ignores_a_record_cut_short_by_the_crash(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    _journal_one_committed_checkpoint(session, tmp_path)
    with (tmp_path / JOURNAL_FILE).open("a") as handle:
        handle.write('{"service": "dynamodb", "op": "PutI')  # no newline: never acknowledged
    fresh = _fresh_tables(session)
    recover(tmp_path, {"dynamodb": fresh}.__getitem__)
    assert _items(fresh) == {"checkpoint": "page-1"}


def test_journal_recovery_that_cannot_replay_names_the_line_and_the_way_out(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    _journal_one_committed_checkpoint(session, tmp_path)
    session.client("dynamodb").delete_table(TableName=TABLE)
    with pytest.raises(JournalError, match=r"journal\.jsonl:1: replaying PutItem failed .*move it aside"):
        recover(tmp_path, {"dynamodb": session.client("dynamodb")}.__getitem__)


def test_save_tables_retires_the_journal_and_an_interrupted_save_is_finished_not_replayed(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    journal = WriteJournal(tmp_path, session.events).start()
    dynamodb = session.client("dynamodb")
    _put(dynamodb, "checkpoint", "page-1")
    journal.stop()
    table_file = tmp_path / "StateTable.jsonl"
    save_tables(dynamodb, {TABLE: table_file}, tmp_path)
    assert not (tmp_path / JOURNAL_FILE).exists() and table_file.exists()

    # A save killed after the journal was retired, before the snapshot replaced the old one.
    _put(dynamodb, "checkpoint", "page-2")
    (tmp_path / "StateTable.jsonl.partial").write_text(table_file.read_text().replace("page-1", "page-2"))
    (tmp_path / "journal.applied").write_text("")
    settle_tables(tmp_path)
    assert "page-2" in table_file.read_text()
    assert not (tmp_path / "journal.applied").exists()
    assert not list(tmp_path.glob("*.partial"))

    # A save killed before the journal was retired: the old snapshot and the journal stay the truth.
    (tmp_path / "StateTable.jsonl.partial").write_text("garbage")
    settle_tables(tmp_path)
    assert "page-2" in table_file.read_text() and not list(tmp_path.glob("*.partial"))


def test_status_says_when_a_run_ended_without_finishing(
    session: boto3.session.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventframework.local.commands.status import run_status

    tables = tmp_path / "tables"
    journal = WriteJournal(tables, session.events).start()
    _put(session.client("dynamodb"), "checkpoint", "page-1")
    journal.stop()
    run_status(["--state-dir", str(tmp_path), "okta-system-log"])
    assert "ended without finishing (killed?)" in capsys.readouterr().err
