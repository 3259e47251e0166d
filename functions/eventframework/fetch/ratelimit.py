"""Reading rate-limit headers into a wait in seconds.

Retry-After may be delta seconds or an HTTP date; X-Rate-Limit-Reset is epoch seconds (Okta), epoch
milliseconds (LaunchDarkly) or, for other vendors, delta seconds: values above 10^12 are taken as
epoch milliseconds, above 10^9 as epoch seconds. Waits are clamped to the
definition's ``max_wait_seconds`` so a bogus header cannot park a run for days.

Which responses mean "wait" is the vendor's to say: 429 always, and the definition's
``rate_limit.signals`` for the others a vendor documents (GitHub answers its primary and secondary
limits with 403 or 429; Google with 403 and a ``rateLimitExceeded`` reason). A matching 403 is a rate
limit, never an authentication failure, so the run waits instead of telling someone to fix a token.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from eventframework.definitions.model import RateLimitSignal, RateLimitSpec
from eventframework.definitions.paths import compile_path
from eventframework.fetch.jsondoc import loads_fast

_EPOCH_THRESHOLD = 1_000_000_000
_EPOCH_MS_THRESHOLD = 1_000_000_000_000


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
    if number > _EPOCH_MS_THRESHOLD:
        return number / 1000 - now
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


def _signalled(signal: RateLimitSignal, headers: Mapping[str, str], document: object) -> bool:
    if signal.header is not None:
        value = headers.get(signal.header)
        return value is not None and (signal.equals is None or value.strip() == signal.equals)
    assert signal.body_path is not None  # the definition schema requires header or body_path
    found = compile_path(signal.body_path)(document)
    return isinstance(found, str | int) and str(found) in signal.values


def is_rate_limited(spec: RateLimitSpec, status: int, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether a non-2xx response is the vendor saying "slow down": 429, or a documented signal."""
    if status == 429:
        return True
    signals = [signal for signal in spec.signals if signal.status == status]
    if not signals:
        return False
    document: object = None
    if any(signal.body_path for signal in signals):
        decoded, parsed = loads_fast(body)
        document = parsed if decoded else None
    return any(_signalled(signal, headers, document) for signal in signals)
