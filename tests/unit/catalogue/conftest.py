"""Catalogue tests (and those `efw new-source` writes) import their helpers (loopback,
scaffold_support) by module name from this folder."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
