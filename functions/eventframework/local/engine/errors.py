"""The States.* error names AWS Step Functions uses, and the one exception the engine raises for them.

Every failure inside an execution travels as a `StatesError` carrying AWS's error name and cause
text, so Retry/Catch matching and the final ExecutionFailed event see exactly what AWS would show.
"""

from __future__ import annotations

from enum import StrEnum

from eventframework.errors import EventFrameworkError


class StatesErrorName(StrEnum):
    """Predefined error names, spelled as AWS spells them (Retry/Catch `ErrorEquals` match on these)."""

    ALL = "States.ALL"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    TIMEOUT = "States.Timeout"
    TASK_FAILED = "States.TaskFailed"
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"


# `States.ALL` never matches these: AWS treats them as terminal for the execution.
NOT_CATCHABLE_BY_ALL: frozenset[str] = frozenset({StatesErrorName.RUNTIME.value})
# `States.ALL` in a Retrier does not retry these.
NOT_RETRIABLE_BY_ALL: frozenset[str] = frozenset(
    {StatesErrorName.RUNTIME.value, StatesErrorName.DATA_LIMIT_EXCEEDED.value}
)


class StatesError(EventFrameworkError):
    """An error raised inside an execution: `error` is the name Retry/Catch match, `cause` the detail.

    `error` is a plain string because user code (Fail states, Lambda exceptions) may raise any name;
    use `StatesErrorName` members for the predefined ones. A Fail state may raise no name at all
    (`error` is then "" and `reported_error` None), which AWS reports as a null error.
    """

    def __init__(self, error: str | StatesErrorName | None, cause: str | None = None) -> None:
        self.error: str = str(error) if error is not None else ""
        self.error_given = error is not None
        self.cause: str | None = cause
        super().__init__(f"{self.error}: {cause}" if cause else self.error)

    @property
    def reported_error(self) -> str | None:
        """The error as AWS reports it: a Fail state without `Error` reports none at all."""
        return self.error if self.error_given else None

    @property
    def is_runtime(self) -> bool:
        return self.error == StatesErrorName.RUNTIME.value


class PathNotFoundError(StatesError):
    """A JSONPath matched nothing; callers rephrase the cause for the field that held the path."""

    def __init__(self, path: str, normalized: str) -> None:
        self.path = path
        self.normalized = normalized
        super().__init__(
            StatesErrorName.RUNTIME, f"Invalid path '{path}' : No results for path: {normalized}"
        )
