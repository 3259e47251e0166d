"""`efw run`, the README's main command, as a user runs it: twice, resuming from the checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventframework.local.cli import main

from .harness import REPO

pytestmark = pytest.mark.e2e


def _run(tmp_path: Path, capfd: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    code = main(
        [
            "run",
            "okta-system-log",
            "--template",
            str(REPO / "template.yaml"),
            "--state-dir",
            str(tmp_path / "state"),
            "--out",
            str(tmp_path / "out.jsonl"),
            "--json",
            *extra,
        ]
    )
    out = capfd.readouterr().out
    # Under pytest, Powertools may log to the captured sys.stdout too; the summary is the indented object.
    summary: dict[str, object] = json.loads(out[out.index('{\n  "source"') :])
    assert code == 0, summary
    return summary


def test_efw_run_pulls_then_resumes_with_only_the_new_events(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    first = _run(tmp_path, capfd, "--events", "300")
    assert first["delivered"] == 300
    second = _run(tmp_path, capfd, "--new-events", "40")
    assert second["delivered"] == 40
    assert second["totals"]["duplicates"] == 0  # type: ignore[index]
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    ids = [json.loads(line)["details"]["source_event_id"] for line in lines]
    assert len(ids) == len(set(ids)) == 340
    assert list((tmp_path / "state" / "logs").glob("okta-system-log-*.log")), "function logs are kept"


def test_efw_run_refuses_a_live_url_without_a_token_variable(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "okta-system-log", "--template", str(REPO / "template.yaml"),
                 "--state-dir", str(tmp_path / "s"), "--base-url", "https://example.okta.com"])  # fmt: skip
    assert code == 2
    assert "--token-env" in capfd.readouterr().err
