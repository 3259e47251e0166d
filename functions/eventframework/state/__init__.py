"""State kept between steps and runs: checkpoints and leases, the dedup ledger, dead letters, raw pages.

Plain classes over boto3 clients (DynamoDB state and dead-letter tables, the S3 page bucket), so the
same code runs in Lambda, against the local emulator and against moto in tests.
"""

from eventframework.state.checkpoint import Checkpoint, CheckpointStore, Lease, LeaseResult
from eventframework.state.deadletters import DeadLetter, DeadLetterStore
from eventframework.state.errors import (
    LeaseLostError,
    PageNotFoundError,
    StateStoreError,
    StoreUnavailableError,
)
from eventframework.state.ledger import Ledger
from eventframework.state.pages import PageRef, PageStore, page_key

__all__ = [
    "Checkpoint",
    "CheckpointStore",
    "DeadLetter",
    "DeadLetterStore",
    "Lease",
    "LeaseLostError",
    "LeaseResult",
    "Ledger",
    "PageNotFoundError",
    "PageRef",
    "PageStore",
    "StateStoreError",
    "StoreUnavailableError",
    "page_key",
]
