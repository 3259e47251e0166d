"""docs/sources.md is generated from the definitions and kept in step with them; every shipped
source names its vendor, the reference it follows and the permissions it needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventframework.definitions import list_sources
from eventframework.local.catalogue.sources_doc import render
from eventframework.local.cli import main

REPO = Path(__file__).resolve().parents[3]


def test_catalogue_doc_is_in_step_with_the_definitions() -> None:
    assert (REPO / "docs/sources.md").read_text(encoding="utf-8") == render(list_sources()), (
        "docs/sources.md is stale: run `efw catalogue sync`"
    )
    assert "(docs/sources.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_every_shipped_source_cites_its_vendor_reference_and_permissions() -> None:
    for definition in list_sources():
        assert definition.vendor is not None, f"{definition.id}: add a vendor: block"
        assert definition.vendor.reference.startswith("https://") and definition.vendor.permissions


def test_catalogue_check_fails_on_a_stale_page_and_sync_mends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "sources.md"
    doc.write_text("# old\n", encoding="utf-8")
    assert main(["catalogue", "check", "--doc", str(doc)]) == 1
    assert "efw catalogue sync" in capsys.readouterr().err
    assert main(["catalogue", "sync", "--doc", str(doc)]) == 0
    assert main(["catalogue", "check", "--doc", str(doc)]) == 0
