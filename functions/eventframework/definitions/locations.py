"""Where source definitions and JSON Schemas live, so Lambda, tests and the CLI agree.

Lookup order (pull contract): the environment (``EFW_SOURCES_DIR`` / ``EFW_SCHEMAS_DIR``), then the
copy bundled inside the installed package (``eventframework/bundled/``, filled by the SAM build),
then the repository checkout the package was imported from.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_REPO_ROOT = _PACKAGE_ROOT.parent.parent


def _locate(env_name: str, folder: str) -> Path:
    configured = os.environ.get(env_name)
    if configured:
        return Path(configured)
    bundled = _PACKAGE_ROOT / "bundled" / folder
    if bundled.is_dir():
        return bundled
    return _REPO_ROOT / folder


def sources_dir() -> Path:
    """The directory holding ``<source id>.yaml`` files."""
    return _locate("EFW_SOURCES_DIR", "sources")


def schemas_dir() -> Path:
    """The directory holding ``mozdef-event.schema.json``, the definition schema and ``sources/``."""
    return _locate("EFW_SCHEMAS_DIR", "schemas")


def display_path(path: Path) -> str:
    """A short, stable name for messages: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(_REPO_ROOT))
    except ValueError:
        return str(path)
