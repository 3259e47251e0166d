"""Lambda handlers for the bundled sample state machine (`statemachines/samples/`).

`flaky_handler` fails twice per item with a transient error and then succeeds, so the sample shows
Retry with back-off on the virtual clock. Attempts are counted per item id in this process.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

FAILURES_BEFORE_SUCCESS = 2
_attempts: Counter[str] = Counter()


class TransientUpstreamError(Exception):
    """Stands for a retryable upstream failure (a 503 or a throttle)."""


def flaky_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fail the first two calls for an item id, then return the item marked processed."""
    item_id = str(event.get("id"))
    _attempts[item_id] += 1
    if _attempts[item_id] <= FAILURES_BEFORE_SUCCESS:
        raise TransientUpstreamError(
            f"upstream unavailable for item {item_id} (attempt {_attempts[item_id]})"
        )
    return {"id": item_id, "processed": True, "attempts": _attempts[item_id]}


def reset_attempts() -> None:
    """Forget attempt counts, so a new run starts failing again."""
    _attempts.clear()
