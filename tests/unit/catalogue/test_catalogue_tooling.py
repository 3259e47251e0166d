"""`efw new-source` and `efw check-source`: a new user goes from nothing to a mapped, tested source."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eventframework.local.cli import main

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch checkout: the real schemas, an empty sources folder."""
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "sources").mkdir()
    monkeypatch.setenv("EFW_SCHEMAS_DIR", str(tmp_path / "schemas"))
    monkeypatch.setenv("EFW_SOURCES_DIR", str(tmp_path / "sources"))
    return tmp_path


def test_new_source_writes_definition_schema_fixture_golden_and_test(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new-source", "acme-audit", "--root", str(repo)]) == 0
    golden = json.loads((repo / "tests/fixtures/acme-audit/expected-mozdef.json").read_text())
    assert [e["severity"] for e in golden] == ["INFO", "WARNING", "INFO"]
    assert golden[0]["details"]["sourceipaddress"] == "198.51.100.23"
    test = (repo / "tests/unit/catalogue/test_acme_audit.py").read_text()
    assert "def test_acme_audit_pull_delivers_every_fixture_event_once" in test
    assert "created sources/acme-audit.yaml" in capsys.readouterr().out
    schema = json.loads((repo / "schemas/sources/acme-audit.schema.json").read_text())
    assert schema["required"] == ["id", "created_at"], "a raw schema requires only the id and the time"
    assert "enum" not in json.dumps(schema) and "additionalProperties" not in schema
    readme = (repo / "tests/fixtures/acme-audit/vendor/README.md").read_text()
    assert "| file | page | read | notes |" in readme


def test_new_source_refuses_to_overwrite_and_bad_ids(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-source", "acme-audit", "--root", str(repo)]) == 0
    assert main(["new-source", "acme-audit", "--root", str(repo)]) == 2
    assert "already exist" in capsys.readouterr().err
    assert main(["new-source", "Acme_Audit", "--root", str(repo)]) == 2
    assert "lower-case letters" in capsys.readouterr().err


def test_check_source_maps_the_fixture_when_no_sandbox_profile_exists(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["new-source", "acme-audit", "--root", str(repo)])
    capsys.readouterr()
    assert main(["check-source", str(repo / "sources/acme-audit.yaml"), "--show", "1"]) == 0
    out = capsys.readouterr().out
    assert "mapped 3 events, 0 would be dead-lettered" in out
    assert '"username": "ada@sandbox-corp.example"' in out and '"raw"' not in out


def test_check_source_names_where_the_raw_schema_breaks_the_contract(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["new-source", "acme-audit", "--root", str(repo)])
    schema_file = repo / "schemas/sources/acme-audit.schema.json"
    schema = json.loads(schema_file.read_text())
    schema["properties"]["outcome"] = {"enum": ["success", "failure"]}
    schema_file.write_text(json.dumps(schema))
    capsys.readouterr()
    assert main(["check-source", str(repo / "sources/acme-audit.yaml")]) == 1
    assert (
        "raw schema acme-audit.schema.json: $.outcome pins the vendor's values (enum)"
        in capsys.readouterr().err
    )


def test_check_source_reports_every_definition_problem(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["new-source", "acme-audit", "--root", str(repo)])
    definition = repo / "sources/acme-audit.yaml"
    definition.write_text(definition.read_text().replace("type: body_cursor", "type: cursor"))
    assert main(["check-source", str(definition)]) == 2
    assert "pagination.type" in capsys.readouterr().err


def test_check_source_pulls_a_source_with_a_sandbox_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-source", str(REPO / "sources/okta-system-log.yaml"), "--pages", "1"]) == 0
    out = capsys.readouterr().out
    assert "running against sandbox http://127.0.0.1:" in out and "mapped 25 events" in out


def test_check_source_live_needs_credentials_from_the_environment(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check-source", str(REPO / "sources/github-audit-log.yaml"), "--base-url", "http://127.0.0.1:9"]
    assert main([*args, "--token-env", "EFW_TEST_UNSET_TOKEN"]) == 2
    assert "--token-env NAME" in capsys.readouterr().err
