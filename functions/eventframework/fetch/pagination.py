"""Pagination kinds, one class each, chosen through a typed registry (``PAGINATION_KINDS``).

A paginator knows two things: how a position token shapes the next request (``apply``), and how a
response yields the next token and whether more pages wait (``advance``). Kinds whose token is a URL
handed back by the source (Link header, next URL in the body) check it is on the source's origin the
moment it arrives, so a foreign link is never followed nor saved as a checkpoint.

A kind's definition keys are declared in ``definitions/pagination_keys.py`` (schema and loader follow
from there); its behaviour is its class here, registered in ``PAGINATION_KINDS``. A test holds the two
to the same kinds.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests

from eventframework.definitions.pagination_keys import PaginationSpec, PaginationType
from eventframework.definitions.paths import compile_path
from eventframework.fetch import urls
from eventframework.fetch.errors import MalformedPageError


@dataclass
class RequestPlan:
    """The request about to be sent; paginators and the first-request step fill it in."""

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PageContext:
    """What a paginator sees of a response: source id, base URL, the response, parsed body and records."""

    source: str
    base_url: str
    response: requests.Response
    body: Any
    records: list[Any]
    token: str | None
    page_size: int
    count: int  # len(records), also when the page was only counted (then body is None, records [])


@dataclass(frozen=True)
class Advance:
    next_token: str | None
    has_more: bool


class Paginator(ABC):
    """One pagination kind.

    ``token_is_url``: the token is a full URL to request as is. ``self_describing``: the token alone
    resumes the source (a link or an opaque cursor), so it can be the checkpoint verbatim.
    ``reads_body``: it reads values of the page (a cursor, a flag, the last record); a kind that
    needs only how many records came (``PageContext.count``) lets FetchPage count them without
    decoding the page.
    """

    token_is_url = False
    self_describing = True
    reads_body = True

    def __init__(self, spec: PaginationSpec) -> None:
        self.spec = spec

    def apply(self, plan: RequestPlan, token: str | None, page_size: int) -> None:
        """Shape ``plan`` for the page at ``token`` (``None``: the first page of a window).

        URL-token kinds request the token itself, so by default there is nothing to add.
        """
        return

    @abstractmethod
    def advance(self, page: PageContext) -> Advance:
        """The token of the next page and whether it holds more events."""


def _checked_url(page: PageContext, link: Any) -> str | None:
    if not isinstance(link, str) or not link:
        return None
    absolute = urljoin(page.response.url or page.base_url, link)
    return urls.require_same_origin(page.source, page.base_url, absolute)


class LinkHeaderPaginator(Paginator):
    """RFC 8288 ``Link: <url>; rel="next"``. Okta always sends a next link: an empty page means caught up."""

    token_is_url = True
    reads_body = False

    def advance(self, page: PageContext) -> Advance:
        link = page.response.links.get(self.spec.rel, {}).get("url")
        next_url = _checked_url(page, link)
        if next_url is None:
            return Advance(page.token, False)
        return Advance(next_url, page.count > 0)


class BodyNextUrlPaginator(Paginator):
    """A next-page URL inside the body (``next_url_path``), optionally with ``has_more_path``."""

    token_is_url = True

    def advance(self, page: PageContext) -> Advance:
        next_url = _checked_url(page, compile_path(self.spec.next_url_path or "")(page.body))
        if next_url is None:
            return Advance(page.token, False)
        has_more = _has_more(self.spec, page, default=bool(page.records))
        return Advance(next_url, has_more)


def _has_more(spec: PaginationSpec, page: PageContext, *, default: bool) -> bool:
    if spec.has_more_path is None:
        return default
    flag = compile_path(spec.has_more_path)(page.body)
    if not isinstance(flag, bool):
        raise MalformedPageError(
            page.source,
            urls.without_query(page.response.url or ""),
            f"'{spec.has_more_path}' is not true/false",
        )
    return flag


class BodyCursorPaginator(Paginator):
    """An opaque cursor in the body sent back as a query parameter or JSON body key (1Password)."""

    def apply(self, plan: RequestPlan, token: str | None, page_size: int) -> None:
        if token is None:
            return
        name = self.spec.cursor_param or "cursor"
        if self.spec.cursor_in == "json_body":
            plan.body = {**(plan.body or {}), name: token}
        else:
            plan.params[name] = token

    def advance(self, page: PageContext) -> Advance:
        cursor = _cursor_text(compile_path(self.spec.cursor_path or "")(page.body))
        has_more = _has_more(self.spec, page, default=cursor is not None and bool(page.records))
        if has_more and cursor is None:
            raise MalformedPageError(
                page.source,
                urls.without_query(page.response.url or ""),
                "more pages announced but no cursor given",
            )
        return Advance(cursor or page.token, has_more)


def _cursor_text(found: Any) -> str | None:
    """A cursor as sent back: a string as is, a list (Duo's ``next_offset``) joined with commas."""
    if isinstance(found, list) and found and all(isinstance(p, str | int) for p in found):
        return ",".join(str(p) for p in found)
    if isinstance(found, int) and not isinstance(found, bool):
        return str(found)
    return found if isinstance(found, str) and found else None


class LastRecordPaginator(Paginator):
    """The last event's id is the cursor (Auth0 ``from``/``take``): the next page starts after it.

    A full page means more may wait; a short or empty page means caught up, and the last id seen
    stays the checkpoint so the next run asks for what came after it.
    """

    def apply(self, plan: RequestPlan, token: str | None, page_size: int) -> None:
        if token is None:
            return
        plan.params[self.spec.cursor_param or "from"] = token
        plan.params[self.spec.limit_param or "take"] = page_size

    def advance(self, page: PageContext) -> Advance:
        if not page.records:
            return Advance(page.token, False)
        last = _cursor_text(compile_path(self.spec.cursor_path or "")(page.records[-1]))
        if last is None:
            raise MalformedPageError(
                page.source,
                urls.without_query(page.response.url or ""),
                f"the last event has no '{self.spec.cursor_path}' to continue from",
            )
        full = len(page.records) >= page.page_size
        if full and last == page.token:
            # A full page whose last event carries the very value it was asked from (Duo's
            # administrator log: more than a page of entries in one second): asking again returns
            # the same page forever. Fail the run, loudly, rather than loop or skip events.
            raise MalformedPageError(
                page.source,
                urls.without_query(page.response.url or ""),
                f"a full page ends at the '{self.spec.cursor_path}' it was asked from ({last}); "
                "the API cannot page past it",
            )
        return Advance(last, full)


class OffsetPaginator(Paginator):
    """``offset``/``limit`` parameters; a short page is the last one."""

    self_describing = False
    reads_body = False

    def apply(self, plan: RequestPlan, token: str | None, page_size: int) -> None:
        plan.params[self.spec.offset_param or "offset"] = int(token or 0)
        plan.params[self.spec.limit_param or "limit"] = page_size

    def advance(self, page: PageContext) -> Advance:
        offset = int(page.token or 0) + page.count
        return Advance(str(offset), page.count >= page.page_size)


class PageNumberPaginator(Paginator):
    """``page`` (and optionally a page-size) parameter; a short or empty page is the last one."""

    self_describing = False
    reads_body = False

    def apply(self, plan: RequestPlan, token: str | None, page_size: int) -> None:
        plan.params[self.spec.page_param or "page"] = (
            int(token) if token is not None else self.spec.first_page
        )
        if self.spec.limit_param:
            plan.params[self.spec.limit_param] = page_size

    def advance(self, page: PageContext) -> Advance:
        current = int(page.token) if page.token is not None else self.spec.first_page
        full = page.count >= page.page_size if self.spec.limit_param else page.count > 0
        return Advance(str(current + 1) if full else str(current), full)


class HeaderCursorPaginator(Paginator):
    """The next page's cursor in a response header (JumpCloud Directory Insights: ``X-Search_after``,
    a JSON array), sent back as ``cursor_param``; in a JSON body a JSON-text cursor goes as the value
    it encodes. A page shorter than the page size, or without the header, is the last."""

    reads_body = False

    def apply(self, plan: RequestPlan, token: str | None, page_size: int) -> None:
        if token is None:
            return
        name = self.spec.cursor_param or "cursor"
        if self.spec.cursor_in == "json_body":
            plan.body = {**(plan.body or {}), name: _json_or_text(token)}
        else:
            plan.params[name] = token

    def advance(self, page: PageContext) -> Advance:
        cursor = page.response.headers.get(self.spec.cursor_header or "")
        full = page.count > 0 and page.count >= page.page_size
        if not cursor:
            return Advance(page.token, False)
        return Advance(cursor, full)


def _json_or_text(token: str) -> Any:
    try:
        return json.loads(token)
    except ValueError:
        return token


class SinglePagePaginator(Paginator):
    """One response holds the whole window (Tailscale's configuration log): never a next page; with a
    timestamp cursor the next run starts from the newest event time minus the lag."""

    self_describing = False
    reads_body = False

    def advance(self, page: PageContext) -> Advance:
        return Advance(page.token, False)


PAGINATION_KINDS: dict[PaginationType, type[Paginator]] = {
    PaginationType.LINK_HEADER: LinkHeaderPaginator,
    PaginationType.BODY_CURSOR: BodyCursorPaginator,
    PaginationType.BODY_NEXT_URL: BodyNextUrlPaginator,
    PaginationType.OFFSET: OffsetPaginator,
    PaginationType.PAGE_NUMBER: PageNumberPaginator,
    PaginationType.LAST_RECORD: LastRecordPaginator,
    PaginationType.NONE: SinglePagePaginator,
    PaginationType.HEADER_CURSOR: HeaderCursorPaginator,
}


def paginator_for(spec: PaginationSpec) -> Paginator:
    return PAGINATION_KINDS[spec.type](spec)
