"""Errors the sandbox raises at its callers (tests, the CLI) when they misuse it."""

from __future__ import annotations

from eventframework.errors import EventFrameworkError


class SandboxError(EventFrameworkError):
    """Base of the sandbox's errors; `source` names the sandbox source involved, if any."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class UnknownSourceError(SandboxError):
    """A source id the sandbox does not serve; the message lists the ones it does."""

    def __init__(self, source: str, known: list[str]) -> None:
        super().__init__(
            f"the sandbox does not serve source {source!r}; use one of: {', '.join(sorted(known))}",
            source=source,
        )
        self.known = sorted(known)


class FaultNotApplicableError(SandboxError):
    """A fault that makes no sense for a source (e.g. a foreign next link on an API without links)."""

    def __init__(self, source: str, fault_kind: str, reason: str) -> None:
        super().__init__(f"fault {fault_kind!r} cannot be injected into {source!r}: {reason}", source=source)
        self.fault_kind = fault_kind


class SandboxStateError(SandboxError):
    """The sandbox was used in the wrong lifecycle state (e.g. base_url before start())."""
