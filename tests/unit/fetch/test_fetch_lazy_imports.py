"""Importing the fetch client (every cold start) leaves cryptography unimported: only JWT sources sign."""

from __future__ import annotations

import subprocess
import sys


def test_fetch_import_leaves_cryptography_to_jwt_sources() -> None:
    probe = "import sys, eventframework.fetch; print('cryptography' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
