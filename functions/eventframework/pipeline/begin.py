"""BeginRun: check the source exists, take its lease, read its checkpoint.

A second run of the same source while the first holds the lease returns `acquired: false` and the
state machine ends it cleanly; it is not a failure. A run started by "Continue in a fresh execution"
carries the lease of the run it continues (`lease.owner`), which it takes over without waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.definitions import SourceDefinition, load_source
from eventframework.pipeline._input import optional_str, required_mapping, required_str
from eventframework.state import CheckpointStore

STEP = "BeginRun"


@dataclass(frozen=True)
class BeginRequest:
    source: str
    execution: str
    handed_over_from: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> BeginRequest:
        """Accept `{"input": <execution input>, "execution": name}` or a bare execution input."""
        run_input = required_mapping(STEP, event, "input") if "input" in event else event
        lease = run_input.get("lease")
        previous = optional_str(STEP, lease, "owner") if isinstance(lease, Mapping) else None
        return cls(
            source=required_str(STEP, run_input, "source"),
            execution=required_str(STEP, event, "execution"),
            handed_over_from=previous,
        )


def begin_run(
    request: BeginRequest,
    checkpoints: CheckpointStore,
    *,
    load: Callable[[str], SourceDefinition] = load_source,
) -> dict[str, Any]:
    """The contract's BeginRun result, plus `max_pages` (the definition's page cap for the loop)."""
    definition = load(request.source)
    result = checkpoints.acquire(definition.id, request.execution, handed_over_from=request.handed_over_from)
    return {
        "source": definition.id,
        "lease": result.lease.to_dict(),
        "cursor": result.cursor,
        "acquired": result.acquired,
        "max_pages": definition.max_pages_per_execution,
    }
