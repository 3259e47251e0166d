"""Function configuration (environment variables set once in the template's Globals) and the boto3
clients and stores built from it. Clients honour AWS_ENDPOINT_URL, so the same code talks to the
local emulator."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventframework.pipeline.errors import ConfigurationError
from eventframework.publish import SqsPublisher
from eventframework.state import CheckpointStore, DeadLetterStore, Ledger, PageStore
from eventframework.state.aws import container_session
from eventframework.state.ledger import DEFAULT_PAGE_SIZE, LEDGER_SK

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_VARIABLES = {
    "state_table": ("EFW_STATE_TABLE", "the DynamoDB table of checkpoints, leases and ledgers"),
    "deadletter_table": ("EFW_DEADLETTER_TABLE", "the DynamoDB table of dead letters"),
    "page_bucket": ("EFW_PAGE_BUCKET", "the S3 bucket of raw pages"),
    "queue_url": ("EFW_QUEUE_URL", "MozDef's SQS queue"),
}


@dataclass(frozen=True)
class Settings:
    state_table: str
    deadletter_table: str
    page_bucket: str
    queue_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        values: dict[str, str] = {}
        for field_name, (variable, purpose) in _VARIABLES.items():
            value = environ.get(variable, "")
            if not value:
                raise ConfigurationError(variable, purpose)
            values[field_name] = value
        return cls(**values)


@dataclass(frozen=True)
class Services:
    """The stores and publisher one invocation works with."""

    settings: Settings
    dynamodb: DynamoDBClient
    checkpoints: CheckpointStore
    pages: PageStore
    deadletters: DeadLetterStore
    publisher: SqsPublisher

    def ledger(
        self, source: str, window_seconds: int, page_size: int = DEFAULT_PAGE_SIZE, *, sk: str = LEDGER_SK
    ) -> Ledger:
        return Ledger(
            self.settings.state_table,
            self.dynamodb,
            source,
            window_seconds=window_seconds,
            page_size=page_size,
            sk=sk,
        )

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        session: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> Services:
        aws = session or container_session()
        dynamodb = aws.client("dynamodb")
        pages = PageStore(settings.page_bucket, aws.client("s3"))
        return cls(
            settings=settings,
            dynamodb=dynamodb,
            checkpoints=CheckpointStore(settings.state_table, dynamodb, clock=clock),
            pages=pages,
            deadletters=DeadLetterStore(settings.deadletter_table, dynamodb, pages=pages, clock=clock),
            publisher=SqsPublisher(settings.queue_url, aws.client("sqs")),
        )
