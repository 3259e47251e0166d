"""Errors of the fetch step. The CLASS NAMES are the Step Functions error names the pull state machine
retries on (Lambda reports an exception's class name as the error), so they must not be renamed.

Messages never contain credentials, query strings or response bodies: URLs are reduced to
scheme://host:port/path before they reach a message.
"""

from __future__ import annotations

from eventframework.errors import EventFrameworkError


class FetchError(EventFrameworkError):
    """Base of everything fetch raises; ``source`` is the source id, ``url`` the page URL without query."""

    retryable = False

    def __init__(self, source: str, url: str, message: str) -> None:
        self.source = source
        self.url = url
        super().__init__(f"{source}: {message}" + (f" ({url})" if url else ""))


class SourceRateLimitedError(FetchError):
    """HTTP 429, or another status the definition's ``rate_limit.signals`` name (GitHub's 403).
    ``retry_after_seconds`` is the wait the source asked for, or None when it gave none."""

    retryable = True

    def __init__(self, source: str, url: str, retry_after_seconds: float | None, status: int = 429) -> None:
        self.retry_after_seconds = retry_after_seconds
        self.status = status
        wait = (
            f"retry after {retry_after_seconds:g}s"
            if retry_after_seconds is not None
            else "no usable wait given"
        )
        super().__init__(source, url, f"rate limited ({status}), {wait}")


class SourceUnavailableError(FetchError):
    """5xx, or the connection was refused or reset: the source is (hopefully briefly) down."""

    retryable = True

    def __init__(self, source: str, url: str, status: int | None, detail: str) -> None:
        self.status = status
        super().__init__(source, url, f"source unavailable: {detail}")


class SourceTimeoutError(FetchError):
    """The connect or read timeout of the definition's ``request.timeout_seconds`` ran out."""

    retryable = True

    def __init__(self, source: str, url: str, phase: str, seconds: float) -> None:
        self.phase = phase
        self.seconds = seconds
        super().__init__(source, url, f"{phase} timeout after {seconds:g}s")


class MalformedPageError(FetchError):
    """The body is not JSON, is truncated, or lacks the records path. ``offset`` is the byte offset."""

    retryable = True

    def __init__(self, source: str, url: str, reason: str, offset: int | None = None) -> None:
        self.reason = reason
        self.offset = offset
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(source, url, f"malformed page: {reason}{where}")


class ForeignHostError(FetchError):
    """A URL the source handed back points at another scheme/host/port than its base URL. Never followed."""

    def __init__(self, source: str, expected_origin: str, found_origin: str) -> None:
        self.expected_origin = expected_origin
        self.found_origin = found_origin
        super().__init__(
            source,
            "",
            f"refusing to follow a link to {found_origin}: the source's base URL is {expected_origin}; "
            "check the source (or the base_url in its secret)",
        )


class SourceAuthError(FetchError):
    """401/403: the credentials are wrong, expired or lack a scope. A person must fix the secret."""

    def __init__(self, source: str, url: str, status: int) -> None:
        self.status = status
        super().__init__(
            source,
            url,
            f"authentication failed ({status}); check the token and its permissions in the source's secret",
        )


class SourceRequestError(FetchError):
    """Another 4xx (or a redirect): the request the definition builds is wrong. Not retryable."""

    def __init__(self, source: str, url: str, status: int) -> None:
        self.status = status
        super().__init__(
            source,
            url,
            f"the source rejected the request ({status}); check request/pagination in the definition",
        )


class CredentialsError(FetchError):
    """The source's secret is missing, not JSON, or lacks a key. Names the secret and key, never values."""

    def __init__(self, source: str, secret_name: str, problem: str) -> None:
        self.secret_name = secret_name
        self.problem = problem
        super().__init__(source, "", f"credentials in secret '{secret_name}': {problem}")
