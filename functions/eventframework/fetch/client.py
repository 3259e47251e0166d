"""Fetching one page of a source: build the request from the definition and cursor, send it, classify
the outcome into the contract's named errors, parse the records and compute the next cursor.

One ``requests.Session`` per container is reused across pages and invocations (connection reuse).
Redirects are not followed: a redirect could lead off the source's origin with our credentials.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from urllib3.exceptions import ReadTimeoutError

from eventframework.definitions.model import CursorType, SourceDefinition
from eventframework.definitions.paths import compile_path
from eventframework.definitions.times import parse_event_time
from eventframework.fetch import cursors, ratelimit, urls
from eventframework.fetch.auth import Auth, AuthContext, SignedRequest
from eventframework.fetch.auth_kinds import auth_for
from eventframework.fetch.errors import (
    CredentialsError,
    MalformedPageError,
    SourceAuthError,
    SourceRateLimitedError,
    SourceRequestError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from eventframework.fetch.jsondoc import count_array, json_pointer, loads_fast, loads_text
from eventframework.fetch.pagination import PageContext, Paginator, RequestPlan, paginator_for

Clock = Callable[[], float]
USER_AGENT = "mozdef-event-framework/0.1"
# The largest page body read into memory. A page is held as bytes, decoded and processed in a
# function of 512 MB: a source answering with more (a wrong page_size, a hostile or broken server)
# is refused before it exhausts the memory, with the fix in the message. Vendors' pages are far
# smaller: 1,000 Okta events are about 2 MB.
MAX_PAGE_BYTES = 64 * 1024 * 1024
_CHUNK_BYTES = 1024 * 1024

_session: requests.Session | None = None


def default_session() -> requests.Session:
    """The container-wide session (keeps TLS connections open between pages and warm invocations)."""
    global _session  # noqa: PLW0603 - one pool per container is the point
    if _session is None:
        _session = requests.Session()
        _session.headers["User-Agent"] = USER_AGENT
    return _session


@dataclass(frozen=True)
class FetchedPage:
    """One page: the raw body (to store), how many records, where to go next and how long to pause."""

    body: bytes
    count: int
    next_cursor: str | None
    has_more: bool
    wait_seconds: float | None
    url: str
    status: int


# ``{start_time:%Y-%m-%d}``: the window's start (or end) in the vendor's documented format (strftime,
# UTC). Formats without fractions truncate, which only moves a window's start earlier: the ledger
# drops the overlap.
_FORMATTED_TIME = re.compile(r"\{(start|end)_time:([^{}]+)\}")


def _formatted_time(match: re.Match[str], placeholders: Mapping[str, str | int]) -> str:
    return parse_event_time(placeholders[f"{match[1]}_time"]).strftime(match[2])


def _substitute(value: Any, placeholders: Mapping[str, str | int]) -> Any:
    """Fill ``{start_time}``-style placeholders; a number standing alone stays a number in JSON."""
    if isinstance(value, dict):
        return {k: _substitute(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, placeholders) for v in value]
    if not isinstance(value, str) or "{" not in value:
        return value
    whole = placeholders.get(value[1:-1]) if value.startswith("{") and value.endswith("}") else None
    if isinstance(whole, int):
        return whole
    for name, filler in placeholders.items():
        value = value.replace("{" + name + "}", str(filler))
    return _FORMATTED_TIME.sub(lambda match: _formatted_time(match, placeholders), value)


def _base_url(definition: SourceDefinition, credentials: Mapping[str, str]) -> str:
    """The source's base URL: https, or http only to a server on this machine (the bundled sandbox,
    a test server), so a misconfigured secret never sends its token in clear over a network."""
    base = credentials.get("base_url") or definition.request.base_url
    problem = None
    if not base or not base.startswith(("https://", "http://")):
        problem = "key 'base_url' is missing or not an http(s) URL"
    elif base.startswith("http://") and not urls.is_loopback(base):
        problem = "key 'base_url' must be an https URL (plain http only reaches a server on this machine)"
    if problem is not None or base is None:
        from eventframework.fetch.credentials import secret_name

        raise CredentialsError(definition.id, secret_name(definition.id), problem or "no base_url")
    return base


def _plan(
    definition: SourceDefinition,
    paginator: Paginator,
    position: cursors.Position,
    base_url: str,
    now: float,
    *,
    until: datetime | None,
) -> tuple[RequestPlan, str]:
    """The request for ``position`` and the window's un-lagged start; a backfill's window (``until``
    set) ends there and adds the definition's backfill parameters."""
    req = definition.request
    since = cursors.window_since(definition, position, now)
    headers = {str(k): str(v) for k, v in req.headers.items()}
    if paginator.token_is_url and position.token:
        url = urls.require_same_origin(definition.id, base_url, position.token)
        return RequestPlan(req.method, url, headers=headers, body=dict(req.body) if req.body else None), since
    # A listing continued elsewhere (Dropbox's .../continue) sends only its cursor there.
    continue_path = definition.pagination.continue_path
    path = continue_path if continue_path and position.token else req.path
    plan = RequestPlan(req.method, urls.join(base_url, path), dict(req.params), dict(req.body or {}), headers)
    first = definition.cursor.first_request
    if position.token is None or not paginator.self_describing or first.every_page:
        fillers = cursors.placeholders(definition, since, now, until)
        plan.params.update(_substitute(dict(first.params), fillers))
        if until is not None:
            plan.params.update(_substitute(dict(definition.backfill.params), fillers))
        plan.body = {**(plan.body or {}), **_substitute(dict(first.body or {}), fillers)}
    paginator.apply(plan, position.token, definition.page_size)
    if plan.method == "GET" and not plan.body:
        plan.body = None
    return plan, since


def _read_capped(definition: SourceDefinition, response: requests.Response, shown: str) -> bytes:
    """The body, read chunk by chunk and refused past MAX_PAGE_BYTES (announced or not)."""
    too_big = MalformedPageError(
        definition.id,
        shown,
        f"the page is larger than {MAX_PAGE_BYTES} bytes; lower the definition's page_size",
    )
    with response:
        if int(response.headers.get("Content-Length") or 0) > MAX_PAGE_BYTES:
            raise too_big
        chunks, size = [], 0
        for chunk in response.iter_content(_CHUNK_BYTES):
            size += len(chunk)
            if size > MAX_PAGE_BYTES:
                raise too_big
            chunks.append(chunk)
    return b"".join(chunks)


def _send_once(
    definition: SourceDefinition, plan: RequestPlan, session: requests.Session
) -> tuple[requests.Response, bytes]:
    shown = urls.without_query(plan.url)
    timeout = definition.request.timeout
    try:
        response = session.request(
            plan.method,
            plan.url,
            params=plan.params or None,
            json=plan.body if plan.method != "GET" else None,
            headers=plan.headers,
            timeout=(timeout.connect, timeout.read),
            allow_redirects=False,
            stream=True,
        )
        return response, _read_capped(definition, response, shown)
    except requests.ConnectTimeout as exc:
        raise SourceTimeoutError(definition.id, shown, "connect", timeout.connect) from exc
    except requests.ReadTimeout as exc:
        raise SourceTimeoutError(definition.id, shown, "read", timeout.read) from exc
    except requests.exceptions.ChunkedEncodingError as exc:
        raise MalformedPageError(definition.id, shown, "truncated body (connection closed mid-page)") from exc
    except requests.ConnectionError as exc:
        if exc.args and isinstance(exc.args[0], ReadTimeoutError):
            raise SourceTimeoutError(definition.id, shown, "read", timeout.read) from exc
        raise SourceUnavailableError(definition.id, shown, None, "connection refused or reset") from exc


def _send(
    definition: SourceDefinition, plan: RequestPlan, auth: Auth, ctx: AuthContext
) -> tuple[requests.Response, bytes]:
    base_headers = dict(plan.headers)
    signed = SignedRequest(plan.method, plan.url, dict(plan.params))
    plan.headers = base_headers | auth.request_headers(ctx, signed)
    response, body = _send_once(definition, plan, ctx.session)
    if response.status_code == 401 and auth.invalidate(ctx):
        plan.headers = base_headers | auth.request_headers(ctx, signed)
        response, body = _send_once(definition, plan, ctx.session)
    return response, body


def _check_status(
    definition: SourceDefinition, response: requests.Response, body: bytes, shown: str, now: float
) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if ratelimit.is_rate_limited(definition.rate_limit, status, response.headers, body):
        wait = ratelimit.retry_after(definition.rate_limit, response.headers, now)
        raise SourceRateLimitedError(definition.id, shown, wait, status)
    if status in (401, 403):
        raise SourceAuthError(definition.id, shown, status)
    if status >= 500:
        raise SourceUnavailableError(definition.id, shown, status, f"HTTP {status}")
    raise SourceRequestError(definition.id, shown, status)


def parse_records(definition: SourceDefinition, body: bytes, shown: str) -> tuple[Any, list[Any]]:
    """The parsed body and its records list; :class:`MalformedPageError` names the byte offset."""
    decoded, document = loads_fast(body)
    if not decoded:
        document = _loads_or_explain(definition, body, shown)
    records = compile_path(definition.records_path)(document)
    if records is None and definition.records_absent_when_empty and isinstance(document, dict):
        return document, []
    if not isinstance(records, list):
        found = "missing" if records is None else f"a {type(records).__name__}, not a list"
        raise MalformedPageError(definition.id, shown, f"records path '{definition.records_path}' is {found}")
    return document, records


def _loads_or_explain(definition: SourceDefinition, body: bytes, shown: str) -> Any:
    """The standard library's decode, its failures worded as :class:`MalformedPageError`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedPageError(definition.id, shown, "body is not UTF-8", exc.start) from None
    try:
        return loads_text(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise MalformedPageError(
                definition.id, shown, "truncated JSON (the body ends early)", len(body)
            ) from None
        offset = len(text[: exc.pos].encode("utf-8"))
        raise MalformedPageError(definition.id, shown, f"invalid JSON ({exc.msg})", offset) from None


def _read_page(
    definition: SourceDefinition, paginator: Paginator, body: bytes, shown: str
) -> tuple[Any, list[Any], int]:
    """(document, records, count). Only counted when nothing else of the page is read here (the
    pagination kind needs no value of it and the cursor is not the newest event time): ProcessPage
    decodes the stored page anyway, and a second full decode was a sixth of a pull's time."""
    pointer = json_pointer(definition.records_path)
    if (
        not paginator.reads_body
        and definition.cursor.type is not CursorType.TIMESTAMP
        and pointer is not None
    ):
        count = count_array(body, pointer)
        if count is not None:
            return None, [], count
    document, records = parse_records(definition, body, shown)
    return document, records, len(records)


def _page_times(definition: SourceDefinition, records: list[Any]) -> list[Any]:
    getter = compile_path(definition.event_time_path)
    times = []
    for record in records:
        try:
            times.append(parse_event_time(getter(record)))
        except ValueError:
            continue
    return times


def fetch_page(
    definition: SourceDefinition,
    credentials: Mapping[str, str],
    cursor: str | None,
    *,
    session: requests.Session | None = None,
    now: Clock = time.time,
    auth: Auth | None = None,
    until: datetime | None = None,
) -> FetchedPage:
    """Fetch the page at ``cursor`` (``None``: start a first run at now minus the initial lookback);
    ``until`` ends a backfill's window."""
    http = session or default_session()
    base_url = _base_url(definition, credentials)
    paginator = paginator_for(definition.pagination)
    position = cursors.decode(definition, paginator, cursor)
    plan, since = _plan(definition, paginator, position, base_url, now(), until=until)
    ctx = AuthContext(definition.id, credentials, base_url, http, now)
    response, body = _send(definition, plan, auth or auth_for(definition.auth), ctx)
    shown = urls.without_query(response.url or plan.url)
    _check_status(definition, response, body, shown, now())
    document, records, count = _read_page(definition, paginator, body, shown)
    request_token = position.token or (response.url if paginator.token_is_url else None)
    step = paginator.advance(
        PageContext(
            definition.id, base_url, response, document, records, request_token, definition.page_size, count
        )
    )
    newest = position.newest
    if definition.cursor.type is CursorType.TIMESTAMP:
        newest = cursors.newest_of(_page_times(definition, records), position.newest)
    next_position = cursors.Position(token=step.next_token, since=since, newest=newest)
    return FetchedPage(
        body=body,
        count=count,
        next_cursor=cursors.encode(definition, paginator, next_position, step.has_more),
        has_more=step.has_more,
        wait_seconds=ratelimit.pacing_wait(definition.rate_limit, response.headers, now()),
        url=shown,
        status=response.status_code,
    )
