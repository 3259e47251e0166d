"""Root of the test tree. Its presence makes pytest put the repository root on `sys.path` (the
`tests` folder is a package), so every tier, with or without an `__init__.py`, can import the
shared builders under `tests.support` however a test run is started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp dir with sources/ and schemas/ copies, wired in through EFW_SOURCES_DIR / EFW_SCHEMAS_DIR."""
    shutil.copytree(REPO / "sources", tmp_path / "sources")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    monkeypatch.setenv("EFW_SOURCES_DIR", str(tmp_path / "sources"))
    monkeypatch.setenv("EFW_SCHEMAS_DIR", str(tmp_path / "schemas"))
    return tmp_path
