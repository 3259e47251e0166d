"""Map state limits read from fixed values or paths: MaxConcurrency and the tolerated failures,
validated with AWS's error texts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine import paths, reading
from eventframework.local.engine.errors import StatesError, StatesErrorName


@dataclass(frozen=True)
class Tolerance:
    """How many failed iterations a Map accepts; `configured` is False when neither field is set."""

    count: int | None = None
    percentage: float | None = None

    @property
    def configured(self) -> bool:
        return self.count is not None or self.percentage is not None

    def exceeded(self, failures: int, total: int) -> bool:
        if failures == 0:
            return False
        if not self.configured:
            return True
        over_count = self.count is not None and failures > self.count
        over_percentage = (
            self.percentage is not None and total > 0 and failures * 100 / total > self.percentage
        )
        return over_count or over_percentage


def max_concurrency(raw: Mapping[str, Any], data: Any, context: reading.PathContext) -> int:
    path = raw.get("MaxConcurrencyPath")
    if path is None:
        return int(raw.get("MaxConcurrency", 0))
    value = reading.read_path(path, data, context)
    number = _as_int(value)
    if number is None or number < 0:
        raise StatesError(
            StatesErrorName.RUNTIME,
            f'The MaxConcurrencyPath field refers to value "{_shown(value)}" '
            f"which is not a valid integer: {path}",
        )
    return number


def tolerance(raw: Mapping[str, Any], data: Any, context: reading.PathContext) -> Tolerance:
    """The tolerated failures, from the fixed fields or their paths.

    A path's value must be an integer (count) or a number (percentage); AWS fails the execution
    with `States.Runtime` naming the field, the value and the path otherwise, and then checks the
    range (recorded in LocalStack's AWS-validated snapshot
    `tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json`).
    """
    count: Any = raw.get("ToleratedFailureCount")
    if "ToleratedFailureCountPath" in raw:
        count = _read_number(raw["ToleratedFailureCountPath"], "ToleratedFailureCountPath", data, context)
    if count is not None and count < 0:
        raise StatesError(StatesErrorName.RUNTIME, "ToleratedFailureCount cannot be negative.")
    percentage: Any = raw.get("ToleratedFailurePercentage")
    if "ToleratedFailurePercentagePath" in raw:
        path = raw["ToleratedFailurePercentagePath"]
        percentage = _read_number(path, "ToleratedFailurePercentagePath", data, context)
    if percentage is not None and not 0 <= percentage <= 100:
        raise StatesError(StatesErrorName.RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    return Tolerance(count, percentage)


def _read_number(path: str, field_name: str, data: Any, context: reading.PathContext) -> int | float:
    value = reading.read_path(path, data, context)
    convert, kind = _PATH_NUMBERS[field_name]
    number = convert(value)
    if number is None:
        raise StatesError(
            StatesErrorName.RUNTIME,
            f'The {field_name} field refers to value "{_shown(value)}" which is not a valid {kind}: {path}',
        )
    return number


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


# Each tolerance path field: how its value is read and the kind AWS names in the cause.
_PATH_NUMBERS: dict[str, tuple[Callable[[Any], int | float | None], str]] = {
    "ToleratedFailureCountPath": (_as_int, "integer"),
    "ToleratedFailurePercentagePath": (_as_float, "float"),
}


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else paths.to_json_text(value)
