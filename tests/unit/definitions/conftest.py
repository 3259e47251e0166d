"""Helpers for definition tests: a scratch sources/schemas pair seeded from the repository's own."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp dir with sources/ and schemas/ copies, wired in through EFW_SOURCES_DIR / EFW_SCHEMAS_DIR."""
    shutil.copytree(REPO / "sources", tmp_path / "sources")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    monkeypatch.setenv("EFW_SOURCES_DIR", str(tmp_path / "sources"))
    monkeypatch.setenv("EFW_SCHEMAS_DIR", str(tmp_path / "schemas"))
    return tmp_path


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
