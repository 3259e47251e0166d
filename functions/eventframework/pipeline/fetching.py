"""FetchPage: call the source for the page at the cursor, keep the raw body in S3, return a reference.

A 429 with a known wait becomes `{"rate_limited": true, "wait_seconds": N}` so the state machine
waits exactly that long (a Wait state) instead of burning retries; without a usable wait the
`SourceRateLimitedError` propagates and the state machine's Retry backs off. Either way the run's
lease is extended first: a source that rate-limits for longer than the lease (15 minutes) must not
cost the run its lease, since no checkpoint (which extends it otherwise) is saved while it waits.

The pull fetches each page after the first beside the processing of the page before (a Parallel
state), so that request is told what that page said (`after`): FetchPage then decides whether the
pull goes on now, and answers `{"skipped": "caught_up" | "page_cap" | "pacing"}` (with the pacing
wait) instead of calling the source. A Choice state in the branch would decide the same at the cost
of one more state transition on every page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventframework.definitions import SourceDefinition, load_source
from eventframework.fetch import FetchedPage, fetch_page, load_credentials
from eventframework.fetch.errors import SourceRateLimitedError
from eventframework.pipeline._input import (
    optional_str,
    required_bool,
    required_int,
    required_mapping,
    required_str,
)
from eventframework.pipeline.backfill import BackfillRange
from eventframework.pipeline.errors import RunRequestError
from eventframework.state import CheckpointStore, PageStore
from eventframework.state.checkpoint import CHECKPOINT_SK

STEP = "FetchPage"
# Longest single Wait the machine takes for a rate limit; a longer reset is waited out in steps,
# each followed by a fresh request that extends the lease again (well inside its 15 minutes).
MAX_WAIT_SECONDS = 300

# (definition, credentials, cursor, until): `until` ends a backfill's window, None for the live pull.
Fetch = Callable[[SourceDefinition, Mapping[str, str], str | None, datetime | None], FetchedPage]


def _default_fetch(
    definition: SourceDefinition, credentials: Mapping[str, str], cursor: str | None, until: datetime | None
) -> FetchedPage:
    return fetch_page(definition, credentials, cursor, until=until)


@dataclass(frozen=True)
class PageBefore:
    """What the page before this fetch said, for a fetch that runs beside that page's processing."""

    has_more: bool
    wait_seconds: int
    pages: int  # pages of this execution once the page before is processed
    max_pages: int

    @classmethod
    def optional(cls, event: Mapping[str, Any]) -> PageBefore | None:
        if event.get("after") is None:
            return None
        after = required_mapping(STEP, event, "after")
        try:
            return cls(
                has_more=required_bool(STEP, after, "has_more"),
                wait_seconds=required_int(STEP, after, "wait_seconds"),
                pages=required_int(STEP, after, "pages"),
                max_pages=required_int(STEP, after, "max_pages"),
            )
        except RunRequestError as error:  # named from the step's input, as every other key is
            raise RunRequestError(STEP, f"after.{error.key}", error.problem) from None

    def holds_back(self) -> dict[str, Any] | None:
        """Why the pull does not fetch now (the same order of checks the page cap and pacing always
        had), or None to fetch."""
        if not self.has_more:
            return {"skipped": "caught_up"}
        if self.pages >= self.max_pages:
            return {"skipped": "page_cap"}
        if self.wait_seconds > 0:
            return {"skipped": "pacing", "wait_seconds": self.wait_seconds}
        return None


@dataclass(frozen=True)
class FetchRequest:
    source: str
    execution: str
    cursor: str | None
    page_number: int
    lease_owner: str | None = None
    backfill: BackfillRange | None = None
    after: PageBefore | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> FetchRequest:
        return cls(
            source=required_str(STEP, event, "source"),
            execution=required_str(STEP, event, "execution"),
            cursor=optional_str(STEP, event, "cursor"),
            page_number=required_int(STEP, event, "page_number"),
            lease_owner=optional_str(STEP, event, "lease_owner"),
            backfill=BackfillRange.optional(STEP, event),
            after=PageBefore.optional(event),
        )


def whole_seconds(wait: float | None) -> int:
    """A Wait state's SecondsPath needs a non-negative integer; round up so we never ask too early."""
    if wait is None or wait <= 0:
        return 0
    return min(math.ceil(wait), MAX_WAIT_SECONDS)


def fetch_step(
    request: FetchRequest,
    pages: PageStore,
    *,
    load: Callable[[str], SourceDefinition] = load_source,
    credentials: Callable[[str], Mapping[str, str]] = load_credentials,
    fetch: Fetch = _default_fetch,
    checkpoints: CheckpointStore | None = None,
) -> dict[str, Any]:
    held_back = request.after.holds_back() if request.after is not None else None
    if held_back is not None:
        return held_back
    definition = load(request.source)
    backfill = request.backfill
    until = backfill.until if backfill else None
    try:
        page = fetch(definition, credentials(definition.id), request.cursor, until)
    except SourceRateLimitedError as error:
        if checkpoints is not None and request.lease_owner is not None:
            sk = backfill.key if backfill else CHECKPOINT_SK
            checkpoints.extend_lease(request.source, owner=request.lease_owner, sk=sk)
        if error.retry_after_seconds is None:
            raise
        return {"rate_limited": True, "wait_seconds": max(1, whole_seconds(error.retry_after_seconds))}
    ref = pages.put(definition.id, request.execution, request.page_number, page.body)
    return {
        "page": {
            "bucket": ref.bucket,
            "key": ref.key,
            "count": page.count,
            "request_cursor": request.cursor,
            # The position to resume from after this page. DynamoDB cannot store null in the
            # checkpoint's string attribute, so "no new position" keeps the request's cursor and
            # "no position at all" is "" (read back as None).
            "next_cursor": page.next_cursor or request.cursor or "",
            "has_more": page.has_more,
            "wait_seconds": whole_seconds(page.wait_seconds),
        }
    }
