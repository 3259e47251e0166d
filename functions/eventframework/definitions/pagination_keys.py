"""The ``pagination`` block of a definition: its types, its spec, and each kind declared once with its keys.

Adding a kind: a ``PaginationType`` member and its :class:`Kind` in ``PAGINATION`` here (a new key
also needs a field on ``PaginationSpec``, whose default is the key's default), its ``Paginator`` in
``fetch/pagination.py``'s ``PAGINATION_KINDS``, then `efw schema sync`. The schema, the loader and
the refusal of another kind's keys follow from the declaration (see ``definitions.kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from eventframework.definitions.kinds import Key, Kind, KindFamily


class PaginationType(StrEnum):
    LINK_HEADER = "link_header"
    BODY_CURSOR = "body_cursor"
    BODY_NEXT_URL = "body_next_url"
    OFFSET = "offset"
    PAGE_NUMBER = "page_number"
    LAST_RECORD = "last_record"
    NONE = "none"
    HEADER_CURSOR = "header_cursor"


@dataclass(frozen=True)
class PaginationSpec:
    """A validated pagination block: every kind's keys as fields, those its kind does not use at
    their defaults (the defaults the schema shows)."""

    type: PaginationType
    rel: str = "next"
    cursor_path: str | None = None
    cursor_param: str | None = None
    cursor_in: str = "query"
    has_more_path: str | None = None
    next_url_path: str | None = None
    offset_param: str | None = None
    limit_param: str | None = None
    page_param: str | None = None
    first_page: int = 1
    continue_path: str | None = None
    cursor_header: str | None = None


_NAME = {"type": "string", "minLength": 1}
_PATH = {"$ref": "#/$defs/dotted_path"}

_REL = Key("rel", {"type": "string"})
_CURSOR_PATH = Key("cursor_path", _PATH)
_CURSOR_PARAM = Key("cursor_param", _NAME)
_IN = Key("in", {"enum": ["query", "json_body"]}, field="cursor_in")
_HAS_MORE_PATH = Key("has_more_path", _PATH)
_NEXT_URL_PATH = Key("next_url_path", _PATH)
_OFFSET_PARAM = Key("offset_param", _NAME)
_LIMIT_PARAM = Key("limit_param", _NAME)
_PAGE_PARAM = Key("page_param", _NAME)
_FIRST_PAGE = Key("first_page", {"type": "integer", "minimum": 0})
_CONTINUE_PATH = Key("continue_path", {"type": "string", "pattern": "^/"})
_CURSOR_HEADER = Key("cursor_header", {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"})

_SENT_AS = "the query parameter or JSON body key the cursor goes back as"

PAGINATION: KindFamily[PaginationType, PaginationSpec] = KindFamily(
    block="pagination",
    spec=PaginationSpec,
    description=(
        "How the next page is asked for. Each type takes only its own keys (generated from "
        "eventframework/definitions/pagination_keys.py by `efw schema sync`)."
    ),
    kinds=(
        Kind(
            PaginationType.LINK_HEADER,
            "the response's RFC 8288 Link header names the next page (Okta, GitHub, GitLab)",
            (_REL.means("the rel of the Link header to follow"),),
        ),
        Kind(
            PaginationType.BODY_CURSOR,
            "the body holds an opaque cursor sent back with the next request "
            "(1Password, Slack, Duo, Dropbox)",
            (
                _CURSOR_PATH.means(
                    "where the cursor is in the body (a list such as Duo's [ts, txid] is sent as ts,txid)",
                    required=True,
                ),
                _CURSOR_PARAM.means(_SENT_AS, required=True),
                _IN.means("where cursor_param goes: the query or the JSON body"),
                _HAS_MORE_PATH.means("the body's true/false 'more pages' flag"),
                _CONTINUE_PATH.means(
                    "the path that continues a listing when it differs from the first request's "
                    "(Dropbox: /2/team_log/get_events/continue); only the cursor is sent there"
                ),
            ),
        ),
        Kind(
            PaginationType.BODY_NEXT_URL,
            "the body holds the next page's URL (Microsoft Graph's @odata.nextLink, Salesforce)",
            (
                _NEXT_URL_PATH.means("where the next page's URL is in the body", required=True),
                _HAS_MORE_PATH.means("the body's true/false 'more pages' flag"),
            ),
        ),
        Kind(
            PaginationType.OFFSET,
            "offset and limit parameters; a short page is the last (Workday)",
            (
                _OFFSET_PARAM.means("the parameter carrying the offset", required=True),
                _LIMIT_PARAM.means("the parameter carrying the page size", required=True),
            ),
        ),
        Kind(
            PaginationType.PAGE_NUMBER,
            "a page-number parameter; a short or empty page is the last (Cloudflare)",
            (
                _PAGE_PARAM.means("the parameter carrying the page number", required=True),
                _LIMIT_PARAM.means("the parameter carrying the page size (a short page is then the last)"),
                _FIRST_PAGE.means("the number of the first page"),
            ),
        ),
        Kind(
            PaginationType.LAST_RECORD,
            "the id of the page's last event is sent back as cursor_param (Auth0 from/take, Stripe)",
            (
                _CURSOR_PATH.means("where the id to continue from is in each event", required=True),
                _CURSOR_PARAM.means("the parameter the last event's id goes back as", required=True),
                _LIMIT_PARAM.means("the parameter carrying the page size", required=True),
            ),
        ),
        Kind(
            PaginationType.NONE,
            "one response holds the whole window (Tailscale); the next run starts from the newest event time",
        ),
        Kind(
            PaginationType.HEADER_CURSOR,
            "the next page's cursor comes in a response header (JumpCloud's X-Search_after) and goes "
            "back as cursor_param, parsed as JSON when sent in a JSON body",
            (
                _CURSOR_HEADER.means("the response header holding the next page's cursor", required=True),
                _CURSOR_PARAM.means(_SENT_AS, required=True),
                _IN.means("where cursor_param goes: the query or the JSON body"),
            ),
        ),
    ),
)
