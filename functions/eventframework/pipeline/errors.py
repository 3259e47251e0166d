"""Errors of the pipeline steps themselves (configuration and malformed step input)."""

from __future__ import annotations

from eventframework.errors import EventFrameworkError


class ConfigurationError(EventFrameworkError):
    """A required environment variable is missing; `variable` names it."""

    def __init__(self, variable: str, purpose: str) -> None:
        self.variable = variable
        self.purpose = purpose
        super().__init__(
            f"environment variable {variable} is not set ({purpose}); the template's Globals set it "
            "for every function, locally export it or run through `efw run`"
        )


class RunRequestError(EventFrameworkError):
    """A step was invoked with input it cannot use; `step` and `key` say where."""

    def __init__(self, step: str, key: str, problem: str) -> None:
        self.step = step
        self.key = key
        self.problem = problem
        super().__init__(f"{step}: input key {key!r} {problem}; check the state machine's Parameters")
