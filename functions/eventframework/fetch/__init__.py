"""The definition-driven HTTP client: auth, pagination, rate limits and the contract's fetch errors."""

from __future__ import annotations

from eventframework.fetch.auth import Auth, TokenCache
from eventframework.fetch.auth_kinds import AUTH_KINDS, auth_for
from eventframework.fetch.client import FetchedPage, default_session, fetch_page, parse_records
from eventframework.fetch.credentials import load_credentials, secret_name
from eventframework.fetch.errors import (
    CredentialsError,
    FetchError,
    ForeignHostError,
    MalformedPageError,
    SourceAuthError,
    SourceRateLimitedError,
    SourceRequestError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from eventframework.fetch.pagination import PAGINATION_KINDS, Paginator

__all__ = [
    "AUTH_KINDS",
    "PAGINATION_KINDS",
    "Auth",
    "CredentialsError",
    "FetchError",
    "FetchedPage",
    "ForeignHostError",
    "MalformedPageError",
    "Paginator",
    "SourceAuthError",
    "SourceRateLimitedError",
    "SourceRequestError",
    "SourceTimeoutError",
    "SourceUnavailableError",
    "TokenCache",
    "auth_for",
    "default_session",
    "fetch_page",
    "load_credentials",
    "parse_records",
    "secret_name",
]
