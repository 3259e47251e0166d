"""Errors raised by the state stores (checkpoints, leases, ledger, dead letters, pages)."""

from __future__ import annotations

from eventframework.errors import EventFrameworkError


class StateStoreError(EventFrameworkError):
    """A store operation failed; `store` names the table or bucket, `operation` what was attempted."""

    def __init__(self, store: str, operation: str, detail: str) -> None:
        self.store = store
        self.operation = operation
        self.detail = detail
        super().__init__(f"{operation} on {store} failed: {detail}")


class StoreUnavailableError(StateStoreError):
    """DynamoDB or S3 throttled or failed server-side; retrying the step later is expected to work.

    The class name is a Step Functions error name: the pull state machine retries it.
    """

    def __init__(self, store: str, operation: str, code: str) -> None:
        self.code = code
        super().__init__(store, operation, f"{code}; the service is throttling or unavailable, retry later")


class LeaseLostError(StateStoreError):
    """A write conditioned on holding the source's lease found another owner (or none)."""

    def __init__(self, store: str, source: str, owner: str, *, before_publish: bool = False) -> None:
        self.source = source
        self.owner = owner
        consequence = (
            "nothing of this page was published: the run holding the lease delivers it"
            if before_publish
            else "its events were published; the ledger keeps the next run from publishing them twice"
        )
        super().__init__(
            store,
            "conditional write" if not before_publish else "lease check",
            f"run {owner!r} no longer holds the lease of source {source!r}; another run took over "
            f"after the lease expired, so this run must stop ({consequence})",
        )


class PageNotFoundError(StateStoreError):
    """A page reference points at an object that does not exist (expired by lifecycle, or wrong key)."""

    def __init__(self, bucket: str, key: str) -> None:
        self.bucket = bucket
        self.key = key
        super().__init__(
            bucket,
            "get page",
            f"s3://{bucket}/{key} does not exist; pages expire after the bucket's retention, so "
            "redrive the run within that window or start a new one",
        )
