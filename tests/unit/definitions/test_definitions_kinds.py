"""Pagination and auth kinds are declared once; the schema file, the loader and fetch's registries
follow the declarations, and a key of another kind is refused with the types that do use it."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eventframework.definitions import AuthSpec, AuthType, DefinitionError, PaginationSpec, PaginationType
from eventframework.definitions.auth_keys import AUTH
from eventframework.definitions.kinds import Key, Kind, KindDeclarationError, KindFamily
from eventframework.definitions.loader import load_source_file
from eventframework.definitions.pagination_keys import PAGINATION
from eventframework.definitions.webhook_auth_keys import WEBHOOK_AUTH, WebhookAuthSpec, WebhookAuthType
from eventframework.fetch import AUTH_KINDS, PAGINATION_KINDS
from eventframework.local.cli import main as efw
from eventframework.local.commands.schema import definition_schema_file, synced_text
from eventframework.webhooks import VERIFIERS

FAMILIES = {"pagination": PAGINATION, "auth": AUTH, "webhook.auth": WEBHOOK_AUTH}
KINDS = [(block, kind.type.value) for block, family in FAMILIES.items() for kind in family.kinds]

# A value for every declared key, none of them the spec's default, so the test sees each one arrive.
SAMPLES: dict[str, dict[str, Any]] = {
    "pagination": {
        "rel": "prev",
        "cursor_path": "meta.next",
        "cursor_param": "page_token",
        "in": "json_body",
        "has_more_path": "has_more",
        "continue_path": "/continue",
        "next_url_path": "links.next",
        "offset_param": "start",
        "limit_param": "count",
        "page_param": "p",
        "first_page": 0,
        "cursor_header": "X-Next-Cursor",
    },
    "auth": {
        "header": "X-Api-Key",
        "prefix": "Token ",
        "credential": "api_key",
        "token_url": "/oauth/token",
        "scope": "audit.read",
        "client_auth": "body",
        "audience": "https://api.example.com/",
        "token_params": {"account_id": "{account_id}"},
        "algorithm": "sha256",
        "date_header": "X-Date",
    },
    "webhook.auth": {
        "header": "X-Signature",
        "prefix": "sig=",
        "timestamp_header": "X-Timestamp",
        "tolerance_seconds": 60,
        "secret": "hook_secret",
    },
}


def _family(block: str) -> KindFamily[Any, Any]:
    return FAMILIES[block]


def test_schema_file_matches_the_kind_declarations() -> None:
    file = definition_schema_file()
    text = file.read_text(encoding="utf-8")
    assert synced_text(text, file) == text, (
        "schemas/source-definition.schema.json is stale against definitions/pagination_keys.py and "
        "auth_keys.py; run `efw schema sync`"
    )


def test_kinds_cover_every_type_and_every_fetch_registry_entry() -> None:
    assert set(PAGINATION.by_type) == set(PaginationType)
    assert set(AUTH.by_type) == set(AuthType)
    assert set(WEBHOOK_AUTH.by_type) == set(WebhookAuthType)
    assert set(PAGINATION_KINDS) == set(PaginationType)
    assert set(AUTH_KINDS) == set(AuthType)
    assert set(VERIFIERS) == set(WebhookAuthType)


@pytest.mark.parametrize(
    ("family", "spec"), [(PAGINATION, PaginationSpec), (AUTH, AuthSpec), (WEBHOOK_AUTH, WebhookAuthSpec)]
)
def test_kinds_declare_exactly_the_spec_fields(family: KindFamily[Any, Any], spec: type) -> None:
    declared = {key.attribute for key in family.keys.values()}
    assert declared | {"type"} == {f.name for f in dataclasses.fields(spec)}


def test_samples_cover_every_declared_key() -> None:
    for block, family in FAMILIES.items():
        assert set(SAMPLES[block]) == set(family.keys), f"give every {block} key a sample here"


@pytest.fixture
def load(okta_doc: dict, write_source: Callable[[dict], Path]) -> Callable[[str, dict], Any]:
    """Load the Okta definition with the block at dotted ``block`` replaced by ``section``; return
    the block's spec."""

    def load_with(block: str, section: dict) -> Any:
        *parents, name = block.split(".")
        holder = okta_doc
        for parent in parents:
            holder = holder.setdefault(parent, {})
        holder[name] = section
        spec = load_source_file(write_source(okta_doc))
        for part in block.split("."):
            spec = getattr(spec, part)
        return spec

    return load_with


def _error(load: Callable[[str, dict], Any], block: str, section: dict) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load(block, section)
    return caught.value


@pytest.mark.parametrize(("block", "kind_type"), KINDS)
def test_loader_sets_every_key_a_kind_declares(
    load: Callable[[str, dict], Any], block: str, kind_type: str
) -> None:
    kind = _family(block).by_type[kind_type]
    section = {"type": kind_type} | {key.name: SAMPLES[block][key.name] for key in kind.keys}
    spec = load(block, section)
    assert spec.type == kind_type
    for key in kind.keys:
        assert getattr(spec, key.attribute) == SAMPLES[block][key.name], key.name
    for key in _family(block).keys.values():
        if key.name not in kind.key_names:
            assert getattr(spec, key.attribute) == _family(block).spec_default(key.attribute), key.name


@pytest.mark.parametrize(("block", "kind_type"), KINDS)
def test_loader_gives_each_key_a_kind_leaves_out_that_kinds_default(
    load: Callable[[str, dict], Any], block: str, kind_type: str
) -> None:
    kind = _family(block).by_type[kind_type]
    required = {key.name: SAMPLES[block][key.name] for key in kind.keys if key.required}
    spec = load(block, {"type": kind_type} | required)
    for key in kind.keys:
        if not key.required:
            assert getattr(spec, key.attribute) == _family(block).default(key), key.name


def test_webhook_auth_kinds_default_to_their_vendors_headers() -> None:
    slack = WEBHOOK_AUTH.build({"type": "slack_v0"})
    assert (slack.header, slack.prefix, slack.timestamp_header) == (
        "X-Slack-Signature",
        "v0=",
        "X-Slack-Request-Timestamp",
    )
    github = WEBHOOK_AUTH.build({"type": "hmac_sha256", "prefix": ""})
    assert (github.header, github.prefix, github.timestamp_header) == ("X-Hub-Signature-256", "", None)


@pytest.mark.parametrize(("block", "kind_type"), KINDS)
def test_loader_requires_exactly_the_keys_a_kind_declares_required(
    load: Callable[[str, dict], Any], block: str, kind_type: str
) -> None:
    kind = _family(block).by_type[kind_type]
    required = [key.name for key in kind.keys if key.required]
    load(block, {"type": kind_type} | {name: SAMPLES[block][name] for name in required})
    for name in required:
        section = {"type": kind_type} | {other: SAMPLES[block][other] for other in required if other != name}
        error = _error(load, block, section)
        assert (error.path, error.value) == (f"{block}.{name}", None)
        assert f"required key '{name}' is missing" in str(error)
        meaning = next(key.description for key in kind.keys if key.name == name)
        assert error.fix == f"add '{name}' ({meaning})"


@pytest.mark.parametrize(("block", "kind_type"), KINDS)
def test_loader_refuses_every_key_of_another_kind_naming_the_types_that_use_it(
    load: Callable[[str, dict], Any], block: str, kind_type: str
) -> None:
    family = _family(block)
    kind = family.by_type[kind_type]
    valid = {"type": kind_type} | {key.name: SAMPLES[block][key.name] for key in kind.keys}
    for name in family.keys:
        if name in kind.key_names:
            continue
        error = _error(load, block, valid | {name: SAMPLES[block][name]})
        assert [p.path for p in error.problems] == [f"{block}.{name}"]
        assert f"'{name}' is not used by {block}.type '{kind_type}'" in str(error)
        takers = [other.type.value for other in family.takers(name)]
        assert error.fix.startswith("remove it, or set")
        assert all(taker in error.fix for taker in takers)


def test_loader_refuses_a_cursor_header_on_a_link_header_pagination(load: Callable[[str, dict], Any]) -> None:
    error = _error(load, "pagination", {"type": "link_header", "cursor_header": "X-Next"})
    assert str(error).endswith(
        "pagination.cursor_header: 'cursor_header' is not used by pagination.type 'link_header'; "
        "remove it, or set pagination.type to header_cursor, which uses it"
    )


def test_loader_reports_only_the_bad_type_when_the_type_is_unknown(load: Callable[[str, dict], Any]) -> None:
    error = _error(load, "auth", {"type": "oauth", "token_url": "/token", "scope": "read"})
    assert [p.path for p in error.problems] == ["auth.type"]


_TEXT = Key("cursor_param", {"type": "string"})


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        (
            (
                Kind(PaginationType.BODY_CURSOR, "", (_TEXT,)),
                Kind(PaginationType.LAST_RECORD, "", (Key("cursor_param", {"type": "integer"}),)),
            ),
            r"pagination\.cursor_param: kinds declare it differently",
        ),
        ((Kind(PaginationType.LINK_HEADER, "", (Key("relation", {}),)),), "PaginationSpec has no such field"),
        ((Kind(PaginationType.NONE, ""), Kind(PaginationType.NONE, "")), "a type is declared twice"),
        (
            (Kind(PaginationType.BODY_CURSOR, "", (_TEXT, _TEXT)),),
            r"pagination\.body_cursor: a key is declared twice",
        ),
    ],
)
def test_kind_family_refuses_contradicting_declarations(kinds: tuple[Kind[Any], ...], message: str) -> None:
    with pytest.raises(KindDeclarationError, match=message):
        KindFamily(block="pagination", spec=PaginationSpec, description="", kinds=kinds)


def test_efw_schema_check_fails_on_a_stale_file_and_sync_mends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "source-definition.schema.json"
    current = definition_schema_file().read_text(encoding="utf-8")
    file.write_text(current.replace('"header_cursor"]', '"cursor"]', 1), encoding="utf-8")
    assert efw(["schema", "check", "--file", str(file)]) == 1
    assert "run `efw schema sync`" in capsys.readouterr().err
    assert efw(["schema", "sync", "--file", str(file)]) == 0
    assert file.read_text(encoding="utf-8") == current
    assert efw(["schema", "check", "--file", str(file)]) == 0


def _guide_table(heading: str) -> dict[str, str]:
    """The kinds table under ``heading`` in docs/adding-a-source.md: type -> its keys column."""
    guide = (Path(__file__).resolve().parents[3] / "docs" / "adding-a-source.md").read_text(encoding="utf-8")
    after = guide.split(heading, 1)[1].lstrip("\n").splitlines()
    rows = list(itertools.takewhile(lambda line: line.startswith("|"), after))[2:]
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    return {row[0].strip("`"): row[-1] for row in cells}


@pytest.mark.parametrize(
    ("heading", "block"),
    [
        ("### Pagination kinds (`pagination.type`)", "pagination"),
        ("### Authentication kinds (`auth.type`)", "auth"),
    ],
)
def test_guide_tables_list_each_kind_with_its_declared_keys(heading: str, block: str) -> None:
    family = _family(block)
    table = _guide_table(heading)
    assert set(table) == set(family.by_type), f"docs/adding-a-source.md {heading}: one row per kind"
    for kind_type, keys_cell in table.items():
        named = {quoted.split(":")[0] for quoted in re.findall(r"`([^`]+)`", keys_cell)}
        assert named & set(family.keys) == set(family.by_type[kind_type].key_names), kind_type
