"""Raw pages in S3: FetchPage writes the body it received, ProcessPage reads it back by reference.

Pages never travel in Step Functions state data (256 KB cap); the state carries `{bucket, key}`.
Keys are `pages/<source>/<execution name>/<page number>.json`, so a redriven execution overwrites
the same object and the bucket's lifecycle rule expires old runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from eventframework.state.aws import error_code, translate, translated
from eventframework.state.errors import PageNotFoundError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class PageRef:
    bucket: str
    key: str


PAGES_PREFIX = "pages/"


def page_key(source: str, execution: str, page_number: int) -> str:
    return f"{PAGES_PREFIX}{source}/{execution}/{page_number}.json"


class PageStore:
    """Put and get raw page bodies (bytes) in the page bucket."""

    def __init__(self, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self._client = client

    def put(self, source: str, execution: str, page_number: int, body: bytes) -> PageRef:
        return self.put_object(page_key(source, execution, page_number), body)

    def put_object(self, key: str, body: bytes, content_type: str = "application/json") -> PageRef:
        with translated(self.bucket, "put page"):
            self._client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return PageRef(self.bucket, key)

    def get(self, ref: PageRef) -> bytes:
        try:
            response = self._client.get_object(Bucket=ref.bucket, Key=ref.key)
        except ClientError as error:
            if error_code(error) in ("NoSuchKey", "404"):
                raise PageNotFoundError(ref.bucket, ref.key) from error
            raise translate(error, ref.bucket, "get page") from error
        with translated(ref.bucket, "read page body"):
            return response["Body"].read()

    def delete(self, ref: PageRef) -> None:
        """Remove an object; deleting one that is already gone succeeds (S3 answers 204 either way)."""
        with translated(ref.bucket, "delete object"):
            self._client.delete_object(Bucket=ref.bucket, Key=ref.key)
