"""The Wait state: lets time pass (through the injected clock) for Seconds or until a Timestamp."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventframework.local.engine import paths, reading
from eventframework.local.engine.definition import MachineParser, StateBase
from eventframework.local.engine.errors import PathNotFoundError, StatesError, StatesErrorName
from eventframework.local.engine.runtime import (
    Frame,
    StateEnv,
    Transition,
    assign_variables,
    effective_input,
    sleep_in_state,
)

# The longest delay a Wait accepts at run time, in seconds (2**31 - 1). AWS recorded a TimestampPath
# 24855 days ahead as accepted and 24856 days ahead as "Wait state delay is too long." (LocalStack's
# AWS-validated snapshot `tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json`, test
# `test_timestamp_too_far_in_future_boundary`); 2**31 - 1 seconds lies between the two. The one-year
# maximum the Wait state page mentions is the execution's, not the state's.
MAX_DELAY_SECONDS = 2**31 - 1
# SecondsPath is read as a Java long: an integer outside it "cannot be parsed as a long value".
_LONG_LIMIT = 2**63

# ISO-8601 extended offset date-time: an explicit offset is required, fractions up to nanoseconds.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})"
)


@dataclass(frozen=True, kw_only=True)
class WaitState(StateBase):
    seconds: Any = None
    seconds_path: str | None = None
    timestamp: str | None = None
    timestamp_path: str | None = None

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any], parse: MachineParser) -> WaitState:
        return cls(
            **cls.common(name, raw),
            seconds=raw.get("Seconds"),
            seconds_path=raw.get("SecondsPath"),
            timestamp=raw.get("Timestamp"),
            timestamp_path=raw.get("TimestampPath"),
        )

    def run(self, frame: Frame, data: Any, env: StateEnv, _partial: object = None) -> Transition:
        selected = effective_input(frame, self, env, data, None)
        context = frame.path_context(self, env)
        seconds = self._delay(selected, context, frame.runtime.clock.now())
        if seconds > MAX_DELAY_SECONDS:
            raise StatesError(StatesErrorName.RUNTIME, "Wait state delay is too long.")
        sleep_in_state(frame, seconds, self.name, data)
        output = paths.apply_output_path(self.output_path.value, self.output_path.present, selected, context)
        assign_variables(frame, self, env, self.assign, selected)
        return Transition(output, self.next)

    def _delay(self, selected: Any, context: reading.PathContext, now: datetime) -> float:
        """Seconds to wait, from whichever of the four fields the state has."""
        if self.seconds is not None:
            return float(self.seconds)
        if self.seconds_path is not None:
            value = _read_wait_path("SecondsPath", self.seconds_path, selected, context)
            return _seconds_from(self.seconds_path, value)
        text = self.timestamp
        if self.timestamp_path is not None:
            text = _read_wait_path("TimestampPath", self.timestamp_path, selected, context)
        # AWS "considers the time value up to seconds and truncates milliseconds" (Wait state page).
        target = parse_timestamp(text, self.timestamp_path).replace(microsecond=0)
        return max(0.0, (target - now).total_seconds())


def _read_wait_path(field_name: str, path: str, selected: Any, context: reading.PathContext) -> Any:
    try:
        return reading.read_path(path, selected, context)
    except PathNotFoundError:
        raise StatesError(
            StatesErrorName.RUNTIME, f"The {field_name} parameter does not reference an input value: {path}"
        ) from None


def _seconds_from(path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int) or not -_LONG_LIMIT <= value < _LONG_LIMIT:
        raise StatesError(
            StatesErrorName.RUNTIME,
            f"The SecondsPath parameter cannot be parsed as a long value: {path} == {_shown(value)}",
        )
    if value < 0:
        raise StatesError(
            StatesErrorName.RUNTIME,
            f"The SecondsPath parameter references a negative value: {path} == {value}",
        )
    return float(value)


def parse_timestamp(value: Any, path: str | None) -> datetime:
    """Parse an ISO-8601 timestamp with offset; fail as AWS does for anything else."""
    match = _TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        micro = int((fraction or "0").ljust(6, "0")[:6])
        zone = "+00:00" if offset == "Z" else offset
        text = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}.{micro:06d}{zone}"
        return datetime.fromisoformat(text)
    except ValueError:
        source = f"{path} == {_shown(value)}" if path else _shown(value)
        field_name = "TimestampPath" if path else "Timestamp"
        raise StatesError(
            StatesErrorName.RUNTIME,
            f"The {field_name} parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {source}",
        ) from None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else paths.to_json_text(value)
