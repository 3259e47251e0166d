"""Delivery of MozDef events to MozDef's SQS queue (batched, size-aware, partial-failure retries)."""

from eventframework.publish.sqs import (
    MAX_BATCH_BYTES,
    MAX_BATCH_ENTRIES,
    FailedPublish,
    PublishResult,
    SqsPublisher,
)

__all__ = ["MAX_BATCH_BYTES", "MAX_BATCH_ENTRIES", "FailedPublish", "PublishResult", "SqsPublisher"]
