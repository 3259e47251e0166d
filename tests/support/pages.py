"""A fetched page's records, read from its body as ProcessPage reads the stored page."""

from __future__ import annotations

from typing import Any

from eventframework.definitions import SourceDefinition
from eventframework.fetch import FetchedPage, parse_records


def page_records(definition: SourceDefinition, page: FetchedPage) -> list[Any]:
    """FetchPage may only count a page; what the events are is ProcessPage's decode of the body."""
    return parse_records(definition, page.body, page.url)[1]
