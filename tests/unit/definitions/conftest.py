"""Helpers for definition tests: the repository's own definitions as documents to edit (the scratch tree of
sources/ and schemas/ they are written into is the root conftest's `scratch`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def okta_doc() -> dict:
    return yaml.safe_load((REPO / "sources" / "okta-system-log.yaml").read_text())


@pytest.fixture
def write_source(scratch: Path) -> Callable[[dict, str], Path]:
    """Write ``doc`` as sources/<name>.yaml (with a permissive raw schema) and return the path."""

    def write(doc: dict, name: str = "okta-system-log") -> Path:
        schema = scratch / "schemas" / "sources" / f"{name}.schema.json"
        if not schema.exists():
            schema.write_text('{"type": "object"}')
        path = scratch / "sources" / f"{name}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    return write
