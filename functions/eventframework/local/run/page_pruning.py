"""Keep a local run's disk flat: drop raw pages from the local page bucket once they are spent.

In AWS the raw pages of a pull stay in the page bucket until its lifecycle rule expires them. A local
run's bucket is a directory of the state directory (local/emulator/local_bucket.py), so every page of
a long pull (about 2.6 MB per 1,000 Okta events) would stay on disk until the run ends. The product
code must not delete pages (a redrive of a FAILED run reads the page it failed on again), so the
local run does it from the outside: when FetchPage is called for page n+1 of an execution, page n is
being processed beside it (the pull's Parallel state) and every page before n was processed and its
checkpoint saved; those go. The latest page (and so the page a failed execution stopped on) is
never touched. When an execution SUCCEEDS (a capped run continues in a
fresh execution every `max_pages_per_execution` pages) its last page goes too, through the engine's
`on_finished` hook: a succeeded execution is never redriven.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from eventframework.local.emulator.local_bucket import LocalBucket
from eventframework.local.engine import Engine, Execution
from eventframework.local.engine.lambdas import LambdaHandler

FETCH_FUNCTION = "FetchPageFunction"


class SpentPagePruner:
    """Wraps FetchPage: records each stored page; a fetch deletes the execution's pages before its latest."""

    def __init__(self, s3: LocalBucket) -> None:
        self._s3 = s3
        self._stored: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self.deleted = 0

    def wrap(self, fetch: LambdaHandler) -> LambdaHandler:
        def fetch_then_remember(event: Any, context: Any) -> Any:
            execution = str(event.get("execution", "")) if isinstance(event, Mapping) else ""
            self._drop_spent(execution, keep_latest=True)
            result = fetch(event, context)
            page = result.get("page") if isinstance(result, Mapping) else None
            if isinstance(page, Mapping) and "bucket" in page and "key" in page:
                self._stored[execution].append((str(page["bucket"]), str(page["key"])))
            return result

        return fetch_then_remember

    def install(self, lambdas: dict[str, LambdaHandler], engine: Engine | None = None) -> None:
        """Wrap the FetchPage handler among a registered state machine's bound Lambda handlers, and
        release a succeeded execution's pages as the engine finishes it."""
        for arn, handler in lambdas.items():
            if arn.rsplit(":", 1)[-1] == FETCH_FUNCTION:
                lambdas[arn] = self.wrap(handler)
        if engine is not None:
            engine.on_finished.append(self.finished)

    def finished(self, execution: Execution) -> None:
        """A SUCCEEDED execution needs none of its pages again; any other keeps them for a redrive."""
        if execution.status == "SUCCEEDED":
            self._drop_spent(execution.name)

    def _drop_spent(self, execution: str, *, keep_latest: bool = False) -> None:
        stored = self._stored.pop(execution, [])
        spent = stored[:-1] if keep_latest else stored
        if keep_latest and stored:
            self._stored[execution] = stored[-1:]
        for bucket, key in spent:
            self._s3.delete_object(Bucket=bucket, Key=key)
        self.deleted += len(spent)
