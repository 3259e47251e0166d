"""Helpers for scaffolded source tests (`efw new-source`): pull a source to the end through a stub."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import requests
from tests.support.pages import page_records

from eventframework.definitions import load_source
from eventframework.fetch import fetch_page
from eventframework.process import process_records

MAX_PAGES = 50


def pull_all(source_id: str, credentials: dict[str, str], *, page_size: int) -> list[dict[str, Any]]:
    """Every MozDef event of one run from no checkpoint, dropping repeats as the ledger would."""
    definition = replace(load_source(source_id), page_size=page_size)
    cursor: str | None = None
    seen: set[str] = set()
    delivered: list[dict[str, Any]] = []
    with requests.Session() as session:
        for _ in range(MAX_PAGES):
            page = fetch_page(definition, credentials, cursor, session=session)
            result = process_records(definition, page_records(definition, page), seen)
            assert result.dead == [], result.dead
            seen.update(key for key, _ in result.delivered)
            delivered += result.events
            cursor = page.next_cursor
            if not page.has_more:
                return delivered
    raise AssertionError(f"{source_id}: still paging after {MAX_PAGES} pages")
