"""Turn botocore failures into the stores' own errors, so callers never see raw ClientErrors; and the
one boto3 session a container builds its clients from. Public: the fetch, reprocess and webhook
layers, the handlers and the local tooling build on the same session and translation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from eventframework.state.errors import StateStoreError, StoreUnavailableError

# Error codes that mean "try again later" rather than "this request is wrong".
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalError",
        "ServiceUnavailable",
        "SlowDown",
        "TransactionConflictException",
    }
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def is_conditional_failure(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def translate(error: ClientError, store: str, operation: str) -> StateStoreError:
    """The store error for a ClientError: throttling/5xx are retryable, the rest are not."""
    code = error_code(error)
    if code in TRANSIENT_CODES:
        return StoreUnavailableError(store, operation, code)
    message = str(error.response.get("Error", {}).get("Message", ""))
    return StateStoreError(store, operation, f"{code}: {message}" if message else code)


@contextmanager
def translated(store: str, operation: str) -> Iterator[None]:
    """Run an AWS call, mapping throttling/5xx to StoreUnavailableError and the rest to StateStoreError."""
    try:
        yield
    except ClientError as error:
        raise translate(error, store, operation) from error
    except BotoCoreError as error:
        raise StoreUnavailableError(store, operation, type(error).__name__) from error


def container_session() -> boto3.session.Session:
    """boto3's process-wide default session, created on first use.

    Every client a container makes (stores, publisher, Secrets Manager) comes from it, so the service
    models and the endpoint data are parsed once per process instead of once per session (each new
    session re-reads them: ~50 ms for the endpoint data alone, 0.2 s for three clients). Clients
    still read the endpoint and region from the environment when they are created.
    """
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    return boto3.DEFAULT_SESSION
