"""What a sandbox source API is: the request it gets, the reply it gives, and the base class.

The HTTP server turns sockets into `ApiRequest`s and `Reply`s into bytes; everything between is
plain Python, so each vendor's behaviour reads like a short script and is testable without sockets.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from eventframework.local.sandbox.stream import EventFactory, EventStream

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request as the APIs see it; `query` keeps one value of each parameter (`values` gives
    all of a repeated one), `headers` are keyed in lower case and `host` is the Host header
    (signatures cover it)."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    authorization: str | None
    headers: Mapping[str, str] = field(default_factory=dict)
    host: str = ""
    raw_query: str = ""

    def values(self, name: str) -> list[str]:
        """Every value of a query parameter the client repeated (Zendesk's filter[created_at][])."""
        return [value for key, value in parse_qsl(self.raw_query, keep_blank_values=True) if key == name]

    def form(self) -> dict[str, str]:
        """The body as an `application/x-www-form-urlencoded` form (token endpoints)."""
        return dict(parse_qsl(self.body.decode("utf-8", errors="replace")))


@dataclass
class Reply:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, document: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
        body = json.dumps(document, separators=(",", ":")).encode()
        return cls(status, body, [("Content-Type", JSON_TYPE), *(headers or [])])


SideRoute = Callable[[ApiRequest], Reply]


class BadRequest(Exception):  # noqa: N818 - internal control flow, never leaves the API module
    """Raised inside an API while parsing a request; becomes the vendor's 400 reply."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem


class SourceApi(ABC):
    """One vendor endpoint serving one event stream. Subclasses set the class attributes and
    implement parsing, serving and the vendor's error shapes."""

    source_id: ClassVar[str]
    method: ClassVar[str]
    path: ClassVar[str]
    # Further paths of the same event listing, served by `page` like `path` (faults, auth checks and
    # records alike): Dropbox continues a listing at /2/team_log/get_events/continue.
    continue_paths: ClassVar[tuple[str, ...]] = ()
    # The smallest page the vendor serves, whatever the client asks (Salesforce: batches of 200+).
    min_page_size: ClassVar[int] = 1
    auth_scheme: ClassVar[str]
    has_next_links: ClassVar[bool]

    @classmethod
    def data_paths(cls) -> tuple[str, ...]:
        """Every path that serves the event listing."""
        return (cls.path, *cls.continue_paths)

    def __init__(self, stream: EventStream, token: str, base_url: str) -> None:
        self.stream = stream
        self._token = token
        self.base_url = base_url

    def authorized(self, request: ApiRequest) -> bool:
        return request.authorization == f"{self.auth_scheme} {self._token}"

    def credentials(self) -> dict[str, str]:
        """The secret a client needs for this API (what `efw run` stores in Secrets Manager)."""
        return {"base_url": self.base_url, "token": self._token}

    def side_routes(self) -> dict[tuple[str, str], SideRoute]:
        """Endpoints besides the event endpoint, e.g. an OAuth2 token endpoint; faults skip them."""
        return {}

    @abstractmethod
    def page_number(self, request: ApiRequest) -> int | None:
        """Which page of the event stream the request asks for (1 without a cursor), None if the
        request is unparseable; `Fault.on_page` matches on this."""

    @abstractmethod
    def serve(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        """The page for a well-formed, authorised request (the vendor's 400 otherwise)."""

    @abstractmethod
    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        """The vendor's error reply for `status`, with rate-limit headers when asked for."""

    @abstractmethod
    def unauthorized(self, now: float) -> Reply:
        """The vendor's 401 reply."""


def parse_time(text: str) -> int:
    """RFC 3339 / ISO 8601 text to epoch milliseconds; naive times are taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError as error:
        raise BadRequest("time", f"{text!r} is not an ISO 8601 date-time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_limit(value: object, maximum: int) -> int:
    if isinstance(value, bool):
        raise BadRequest("limit", "must be an integer")
    try:
        limit = int(str(value))
    except ValueError as error:
        raise BadRequest("limit", f"{value!r} is not an integer") from error
    if not 1 <= limit <= maximum:
        raise BadRequest("limit", f"must be between 1 and {maximum}, got {limit}")
    return limit


# A source the sandbox serves: its API class and its event factory class (taking the seed).
Profile = tuple[type[SourceApi], Callable[[int], EventFactory]]
