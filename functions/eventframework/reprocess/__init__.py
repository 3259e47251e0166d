"""Reprocessing of dead letters: re-validate with the current schema and mapping, publish what now
passes exactly once (claims in the state table), keep what still fails with its new reason."""

from eventframework.reprocess.batch import BatchRunner, reprocess_batch
from eventframework.reprocess.claims import ClaimOutcome, ClaimStore
from eventframework.reprocess.request import Position, ReprocessRequest, Totals

__all__ = [
    "BatchRunner",
    "ClaimOutcome",
    "ClaimStore",
    "Position",
    "ReprocessRequest",
    "Totals",
    "reprocess_batch",
]
