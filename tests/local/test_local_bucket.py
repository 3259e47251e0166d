"""The local page bucket: the production PageStore and DeadLetterStore on files, answered as S3 answers.

S3's answers followed here: GetObject of a missing key is NoSuchKey (404), DeleteObject of a missing
key succeeds (204), a key is at most 1,024 bytes of UTF-8:
https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from tests.support.aws import REGION, create_source_table

from eventframework.local.emulator.journal import WriteJournal, recover
from eventframework.local.emulator.local_bucket import LocalBucket
from eventframework.state import DeadLetterStore
from eventframework.state.errors import PageNotFoundError, StateStoreError
from eventframework.state.pages import PageRef, PageStore

BUCKET = "efw-local-pagebucket"


@pytest.fixture
def bucket(tmp_path: Path) -> LocalBucket:
    return LocalBucket(BUCKET, tmp_path / "pages").start()


def test_local_bucket_serves_the_production_page_store(bucket: LocalBucket, tmp_path: Path) -> None:
    pages = PageStore(BUCKET, bucket)  # type: ignore[arg-type]  # the S3 client interface, as LocalQueue is SQS's
    ref = pages.put("okta", "run-1", 1, b'[{"uuid": "a"}]')
    assert ref == PageRef(BUCKET, "pages/okta/run-1/1.json")
    assert pages.get(ref) == b'[{"uuid": "a"}]'
    assert (tmp_path / "pages" / "pages" / "okta" / "run-1" / "1.json").read_bytes() == b'[{"uuid": "a"}]'
    assert LocalBucket(BUCKET, tmp_path / "pages").get_object(Bucket=BUCKET, Key=ref.key)["Body"].read(), (
        "the next process finds the object: no snapshot needed"
    )
    pages.delete(ref)
    pages.delete(ref)  # S3 answers 204 for a key that is gone
    with pytest.raises(PageNotFoundError):
        pages.get(ref)
    assert not (tmp_path / "pages" / "pages").exists(), "the last page's folders go with it"
    assert (tmp_path / "pages").is_dir(), "the bucket itself stays"


def test_local_bucket_refuses_as_s3_does(bucket: LocalBucket) -> None:
    with pytest.raises(ClientError) as missing:
        bucket.get_object(Bucket=BUCKET, Key="pages/okta/none.json")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(StateStoreError, match="NoSuchBucket"):
        PageStore("another-bucket", bucket).put_object("pages/x.json", b"{}")  # type: ignore[arg-type]
    with pytest.raises(ClientError, match="KeyTooLongError"):
        bucket.put_object(Bucket=BUCKET, Key="k" * 1025, Body=b"")
    with pytest.raises(ClientError, match="must not be empty"):
        bucket.put_object(Bucket=BUCKET, Key="", Body=b"")


def test_local_bucket_keeps_every_key_s3_takes(bucket: LocalBucket, tmp_path: Path) -> None:
    """A vendor's event id becomes part of a dead-letter key: keys that are no file path are kept too."""
    odd = [
        "deadletters/okta/a//b.json",
        "deadletters/okta/../../escape.json",
        "deadletters/okta/./x.json",
        "deadletters/okta/trailing/",
        "deadletters/okta/" + "é" * 500,  # 1,017 bytes of UTF-8: longer than a file name may be
        "deadletters/okta/%41.json",
        "folder/object",
        "folder/object/inside",  # S3 holds an object and the folder of others under one name
        "folder",
    ]
    for number, key in enumerate(odd):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=str(number))
    for number, key in enumerate(odd):
        assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == str(number).encode()
    assert sorted(bucket.keys()) == sorted(odd), "each listed once, under its own key"
    assert sorted(bucket.keys("deadletters/okta/a")) == ["deadletters/okta/a//b.json"]
    assert not (tmp_path / "escape.json").exists() and not (tmp_path.parent / "escape.json").exists()
    for key in odd:
        bucket.delete_object(Bucket=BUCKET, Key=key)
    bucket.delete_pending(bucket.pending_deletions())
    assert list(bucket.keys()) == []
    assert not list((tmp_path / "pages").rglob("*.*")), "no file left behind"


def test_local_bucket_keeps_dead_letter_keys_apart_that_differ_only_in_case_or_line_ends(
    bucket: LocalBucket,
) -> None:
    """Vendor ids are case-sensitive, and a state directory may be on a file system that is not
    (macOS); a key is also listed exactly as it was put, line ends included."""
    keys = [
        "deadletters/okta/Ab.json",
        "deadletters/okta/aB.json",
        "deadletters/okta/x\r\ny",
        "deadletters/okta/x\ry",
    ]
    for number, key in enumerate(keys):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=str(number))
    assert sorted(bucket.keys("deadletters/")) == sorted(keys)
    for number, key in enumerate(keys):
        assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == str(number).encode()


def test_local_bucket_reads_lists_and_deletes_what_an_earlier_version_kept_at_its_path(
    tmp_path: Path,
) -> None:
    old = tmp_path / "pages" / "deadletters" / "okta" / "%41.json"  # that version's mirror: key as path
    old.parent.mkdir(parents=True)
    old.write_bytes(b"{}")
    bucket = LocalBucket(BUCKET, tmp_path / "pages").start()
    assert bucket.get_object(Bucket=BUCKET, Key="deadletters/okta/%41.json")["Body"].read() == b"{}"
    assert list(bucket.keys()) == ["deadletters/okta/%41.json"]
    bucket.put_object(Bucket=BUCKET, Key="deadletters/okta/%41.json", Body=b"[]")  # now by digest
    assert bucket.get_object(Bucket=BUCKET, Key="deadletters/okta/%41.json")["Body"].read() == b"[]"
    assert list(bucket.keys()) == ["deadletters/okta/%41.json"], "listed once"
    bucket.delete_object(Bucket=BUCKET, Key="deadletters/okta/%41.json")
    bucket.delete_pending(bucket.pending_deletions())
    assert not old.exists() and list(bucket.keys()) == []


def test_local_bucket_takes_every_body_boto3_takes(bucket: LocalBucket) -> None:
    for key, body in (
        ("b", b"bytes"),
        ("a", bytearray(b"bytes")),
        ("s", "bytes"),
        ("f", io.BytesIO(b"bytes")),
    ):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType="application/json")
        assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"bytes"
    assert sorted(bucket.keys()) == ["a", "b", "f", "s"]


def test_local_bucket_makes_dead_letter_bodies_durable_before_success_and_not_raw_pages(
    bucket: LocalBucket, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(
        os,
        "fsync",
        lambda descriptor: (
            synced.append(os.readlink(f"/proc/self/fd/{descriptor}")),
            real_fsync(descriptor),
        ),
    )
    bucket.put_object(Bucket=BUCKET, Key="pages/okta/run/1.json", Body=b"[]")
    assert synced == [], "a raw page lost with the machine is fetched again"
    bucket.put_object(Bucket=BUCKET, Key="deadletters/okta/e1.json", Body=b"{}")
    folders = [str(tmp_path / "pages" / "%"), str(tmp_path / "pages"), str(tmp_path)]
    # The key's file and the body's (each staged and synced, then renamed in), then every folder
    # naming them, the ones just made included, before the put returns.
    assert [path.startswith(str(tmp_path / "pages.partial")) for path in synced] == [True, True, *[False] * 3]
    assert synced[2:] == folders


def test_local_bucket_deletes_a_dead_letter_body_only_when_its_step_commits(tmp_path: Path) -> None:
    """Reprocessing deletes a dead letter's item (journaled, committed with the step) and then its
    body. A crash before the step commits brings the item back, so the body must still be there."""
    bucket = LocalBucket(BUCKET, tmp_path / "pages").start()
    bucket.put_object(Bucket=BUCKET, Key="deadletters/okta/e1.json", Body=b"{}")
    bucket.put_object(Bucket=BUCKET, Key="pages/okta/run/1.json", Body=b"[]")
    bucket.delete_object(Bucket=BUCKET, Key="deadletters/okta/e1.json")
    bucket.delete_object(Bucket=BUCKET, Key="pages/okta/run/1.json")
    with pytest.raises(ClientError, match="NoSuchKey"):
        bucket.get_object(Bucket=BUCKET, Key="deadletters/okta/e1.json")
    assert list(bucket.keys()) == [], "deleted, as far as any reader can tell"

    after_crash = LocalBucket(BUCKET, tmp_path / "pages").start()  # the process died before commit
    assert after_crash.get_object(Bucket=BUCKET, Key="deadletters/okta/e1.json")["Body"].read() == b"{}"
    assert list(after_crash.keys("pages/")) == [], "a raw page's deletion is not held back"

    bucket.delete_pending(bucket.pending_deletions())
    assert list(LocalBucket(BUCKET, tmp_path / "pages").keys()) == []


def test_local_bucket_carries_out_only_the_deletions_taken_before_the_commit(tmp_path: Path) -> None:
    """Two engines of one deployment (reprocess runs several): a deletion made after the deletions
    were taken for a journal commit waits for the commit that covers its own item; a body put again
    after its deletion was taken is not removed by it."""
    bucket = LocalBucket(BUCKET, tmp_path / "pages").start()
    for key in ("deadletters/okta/a.json", "deadletters/okta/b.json", "deadletters/okta/c.json"):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=b"{}")
    bucket.delete_object(Bucket=BUCKET, Key="deadletters/okta/a.json")
    bucket.delete_object(Bucket=BUCKET, Key="deadletters/okta/c.json")
    taken = bucket.pending_deletions()  # then the journal commits
    bucket.delete_object(Bucket=BUCKET, Key="deadletters/okta/b.json")  # the other engine, meanwhile
    bucket.put_object(Bucket=BUCKET, Key="deadletters/okta/c.json", Body=b"[]")  # put again
    bucket.delete_pending(taken)
    on_disk = LocalBucket(BUCKET, tmp_path / "pages")  # what a crash now would leave
    assert sorted(on_disk.keys()) == ["deadletters/okta/b.json", "deadletters/okta/c.json"]
    assert on_disk.get_object(Bucket=BUCKET, Key="deadletters/okta/c.json")["Body"].read() == b"[]"
    bucket.delete_pending(bucket.pending_deletions())
    assert list(LocalBucket(BUCKET, tmp_path / "pages").keys()) == ["deadletters/okta/c.json"]


def test_a_crashed_reprocess_step_keeps_each_dead_letter_with_its_body(tmp_path: Path) -> None:
    """The whole chain: an oversized dead letter (item in DynamoDB, body in the bucket), then a step
    that deletes both and dies before committing; recovery brings back the item, and its body."""
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        create_source_table(session.client("dynamodb"), "deadletters", "event_key")
        bucket = LocalBucket(BUCKET, tmp_path / "pages").start()
        journal = WriteJournal(tmp_path, session.events).start()
        store = DeadLetterStore("deadletters", session.client("dynamodb"), pages=PageStore(BUCKET, bucket))  # type: ignore[arg-type]
        raw = '{"blob":"' + "z" * 400_000 + '"}'
        store.put("okta", event_key="big", raw=raw, error_kind="unparseable_record", message="m", run_id="r")
        journal.commit()

        letter = store.get("okta", "big")
        assert letter is not None
        store.delete("okta", "big")  # the reprocess step: item, then body ...
        assert store.discard_raw(letter)
        # ... and the process dies here, before the step commits.

        dynamodb = session.client("dynamodb")
        dynamodb.delete_table(TableName="deadletters")
        create_source_table(dynamodb, "deadletters", "event_key")
        restarted = LocalBucket(BUCKET, tmp_path / "pages").start()
        recover(tmp_path, {"dynamodb": dynamodb, "s3": restarted}.__getitem__)
        again = DeadLetterStore("deadletters", dynamodb, pages=PageStore(BUCKET, restarted))  # type: ignore[arg-type]
        back = again.get("okta", "big")
        assert back is not None and again.load_raw(back) == raw


def test_local_bucket_adopts_the_copy_an_interrupted_save_of_an_earlier_version_left(tmp_path: Path) -> None:
    """Before the bucket was files, a save was swapped in by renames; one cut short between them left
    the last whole copy as `pages.old`, which that version's loader read. This one does too."""
    (tmp_path / "pages.old" / "deadletters" / "okta").mkdir(parents=True)
    (tmp_path / "pages.old" / "deadletters" / "okta" / "e1.json").write_bytes(b"{}")
    (tmp_path / "pages.partial").mkdir()  # that save's unfinished copy
    bucket = LocalBucket(BUCKET, tmp_path / "pages").start()
    assert bucket.get_object(Bucket=BUCKET, Key="deadletters/okta/e1.json")["Body"].read() == b"{}"
    assert not (tmp_path / "pages.old").exists() and not (tmp_path / "pages.partial").exists()


def test_local_bucket_never_shows_a_half_written_object(bucket: LocalBucket, tmp_path: Path) -> None:
    """Objects are written beside the bucket and renamed in: what a killed process left half-written
    is never a key, and the next start clears it."""
    staging = tmp_path / "pages.partial"
    staging.mkdir()
    (staging / "killed-mid-write").write_bytes(b"[{")
    assert list(bucket.keys()) == []
    restarted = LocalBucket(BUCKET, tmp_path / "pages").start()
    assert not staging.exists()
    restarted.put_object(Bucket=BUCKET, Key="pages/okta/run/1.json", Body=b"[]")
    restarted.stop()
    assert not staging.exists(), "no empty staging folder is left in the state directory"
    assert list(restarted.keys("pages/")) == ["pages/okta/run/1.json"]
    assert list(restarted.keys("deadletters/")) == []
    assert list(restarted.keys("pages/ok")) == ["pages/okta/run/1.json"], "a prefix, as S3 matches it"


def test_local_bucket_put_survives_a_delete_emptying_its_folder(
    bucket: LocalBucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook's dead-letter body and a reprocess deleting the folder's last body may meet: the
    folder removed between the put's mkdir and its rename is made again."""
    real_replace = os.replace
    raced = []

    def folder_removed_first(source: Path, target: Path) -> None:
        if not raced:
            raced.append(target)
            Path(target).parent.rmdir()
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", folder_removed_first)
    bucket.put_object(Bucket=BUCKET, Key="deadletters/okta/e1.json", Body=b"{}")
    assert raced and bucket.get_object(Bucket=BUCKET, Key="deadletters/okta/e1.json")["Body"].read() == b"{}"
