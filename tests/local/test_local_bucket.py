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

import pytest
from botocore.exceptions import ClientError

from eventframework.local.emulator.local_bucket import LocalBucket
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
    longest = "/".join(["é" * 100] * 5) + "/" + "k" * 19  # 1,024 bytes of UTF-8: S3 takes it
    bucket.put_object(Bucket=BUCKET, Key=longest, Body=b"")
    bucket.put_object(Bucket=BUCKET, Key="folder/object", Body=b"")
    for key in ("folder", "folder/object/inside"):  # S3 holds both; files cannot
        with pytest.raises(ClientError, match=r"InvalidArgument.*both an object and a folder"):
            bucket.put_object(Bucket=BUCKET, Key=key, Body=b"")
    assert not list((bucket.directory.parent / "pages.partial").iterdir()), "nothing staged is left"
    for key in ("a//b", "../escape", "a/./b", "trailing/", "é" * 128):
        with pytest.raises(ClientError, match=r"InvalidArgument.*segment"):
            bucket.put_object(Bucket=BUCKET, Key=key, Body=b"")


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
    bucket: LocalBucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda descriptor: (synced.append(descriptor), real_fsync(descriptor)))
    bucket.put_object(Bucket=BUCKET, Key="pages/okta/run/1.json", Body=b"[]")
    assert synced == [], "a raw page lost with the machine is fetched again"
    bucket.put_object(Bucket=BUCKET, Key="deadletters/okta/e1.json", Body=b"{}")
    assert len(synced) == 2, "the body's file, then the folder that names it"


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
    with pytest.raises(ValueError, match="must end with '/'"):
        list(restarted.keys("pages/okta"))


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
