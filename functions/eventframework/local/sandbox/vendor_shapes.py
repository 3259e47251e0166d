"""Events as vendors really send them, not as a definition hopes: now and then an optional field is
absent, and now and then a field appears that the vendor added after the definition was written.

Every vendor's reference marks most fields optional and adds new ones without notice, so the
sandbox does both on a fixed share of every source's events: `efw run` and the end-to-end tests
then prove that a definition's raw schema lets both through (it requires only what the event id,
time and cursor read) and that its mapping copes with the gaps. Which event varies, and how, follows
from its position alone, so every run of a seed serves the same events.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from eventframework.definitions import load_source
from eventframework.local.sandbox.stream import EventFactory

ADDED_FIELD_EVERY = 7  # one event in 7 carries a field the definition has never heard of
ABSENT_FIELD_EVERY = 11  # one in 11 lacks one optional top-level field (a different one each time)
ADDED_FIELD = "vendor_added_field"
ADDED_VALUE: dict[str, Any] = {"note": "added by the vendor after this definition was written", "n": [1, 2]}


@cache
def required_fields(source: str) -> frozenset[str]:
    """The top-level keys the source's raw schema requires (the id, the time, the cursor)."""
    schema = json.loads(load_source(source).schema_file.read_text(encoding="utf-8"))
    return frozenset(schema.get("required", ()))


def with_vendor_shapes(source: str, factory: EventFactory) -> EventFactory:
    """``factory`` with the variations above applied by position."""

    def make(position: int, event_ms: int) -> dict[str, Any]:
        event = factory(position, event_ms)
        if position % ADDED_FIELD_EVERY == 3:
            event[ADDED_FIELD] = ADDED_VALUE
        if position % ABSENT_FIELD_EVERY == 5:
            optional = sorted(set(event) - required_fields(source) - {ADDED_FIELD})
            if optional:
                del event[optional[(position // ABSENT_FIELD_EVERY) % len(optional)]]
        return event

    return make
