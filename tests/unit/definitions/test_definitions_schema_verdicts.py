"""The two validators of the definition schema agree: jsonschema-rs decides (a valid definition never
loads jsonschema), jsonschema words what it refuses. If they disagreed, a definition could pass with a
problem nobody reports, or be refused with no message; so their verdicts are compared over every
source of the catalogue and over broken variants of several shapes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from eventframework.definitions.loader import _definition_is_valid, _definition_schema, schema_problems

SOURCES = sorted((Path(__file__).resolve().parents[3] / "sources").glob("*.yaml"))
Mutation = Callable[[dict[str, Any]], None]


def _doc(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((Path(SOURCES[0]).parent / name).read_text(encoding="utf-8"))
    return loaded


def _agree(doc: dict[str, Any]) -> bool:
    full = Draft202012Validator(_definition_schema()).is_valid(doc)
    assert _definition_is_valid()(doc) is full, json.dumps(doc)[:400]
    return full


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.stem)
def test_every_source_is_valid_to_both(path: Path) -> None:
    assert _agree(yaml.safe_load(path.read_text(encoding="utf-8")))


BROKEN: dict[str, tuple[str, Mutation]] = {
    "missing id": ("okta-system-log.yaml", lambda d: d.pop("id")),
    "unknown top-level key": ("okta-system-log.yaml", lambda d: d.update(schedul="rate(5 minutes)")),
    "wrong type": ("okta-system-log.yaml", lambda d: d.update(page_size="1000")),
    "out of range": ("okta-system-log.yaml", lambda d: d.update(page_size=0)),
    "unknown auth type": ("okta-system-log.yaml", lambda d: d["auth"].update(type="digest")),
    "header auth without its header": ("okta-system-log.yaml", lambda d: d["auth"].pop("header")),
    "a key of another pagination kind": (
        "okta-system-log.yaml",
        lambda d: d["pagination"].update(cursor_header="X-Next"),
    ),
    "body cursor without its parameter": (
        "onepassword-audit-events.yaml",
        lambda d: d["pagination"].pop("cursor_param"),
    ),
    "unknown severity": ("okta-system-log.yaml", lambda d: d["mapping"].update(severity="LOUD")),
    "pattern": ("okta-system-log.yaml", lambda d: d.update(id="Okta System Log")),
    "webhook source with an unknown auth key": (
        "github-webhook.yaml",
        lambda d: d["webhook"]["auth"].update(algorithm="md5"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_definition_is_refused_by_both_and_worded(case: str) -> None:
    name, mutate = BROKEN[case]
    doc = copy.deepcopy(_doc(name))
    mutate(doc)
    assert not _agree(doc)
    assert schema_problems(doc), "refused without a problem to show"
