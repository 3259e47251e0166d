"""Reading rate-limit headers into a wait in seconds.

Retry-After may be delta seconds or an HTTP date; X-Rate-Limit-Reset is epoch seconds (Okta) or, for
other vendors, delta seconds: values above 10^9 are taken as epochs. Waits are clamped to the
definition's ``max_wait_seconds`` so a bogus header cannot park a run for days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from eventframework.definitions.model import RateLimitSpec

_EPOCH_THRESHOLD = 1_000_000_000


def _seconds_until(value: str | None, now: float) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value.strip())
    except ValueError:
        try:
            return parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError):
            return None
    if not math.isfinite(number):
        return None
    return number - now if number > _EPOCH_THRESHOLD else number


def _clamp(seconds: float, spec: RateLimitSpec) -> float:
    return float(min(max(seconds, 1.0), spec.max_wait_seconds))


def retry_after(spec: RateLimitSpec, headers: Mapping[str, str], now: float) -> float | None:
    """For a 429: the wait the source asked for (Retry-After, else the reset header), or None."""
    wait = _seconds_until(headers.get(spec.retry_after_header), now)
    if wait is None and spec.reset_header:
        wait = _seconds_until(headers.get(spec.reset_header), now)
    return None if wait is None else _clamp(wait, spec)


def pacing_wait(spec: RateLimitSpec, headers: Mapping[str, str], now: float) -> float | None:
    """For a success: a wait before the next page when the remaining budget is at or below the floor."""
    if not spec.remaining_header or not spec.reset_header:
        return None
    try:
        remaining = int(headers.get(spec.remaining_header, ""))
    except ValueError:
        return None
    if remaining > spec.min_remaining:
        return None
    wait = _seconds_until(headers.get(spec.reset_header), now)
    return None if wait is None else _clamp(wait, spec)
