"""Loading source definitions: good files load; every kind of mistake names file, key, value and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventframework.definitions import (
    AuthType,
    CursorType,
    DefinitionError,
    PaginationType,
    list_sources,
    load_source,
    load_source_file,
)


def test_load_source_okta_builtin_loads_with_its_documented_shape() -> None:
    okta = load_source("okta-system-log")
    assert okta.auth.type is AuthType.HEADER
    assert okta.auth.prefix == "SSWS "
    assert okta.pagination.type is PaginationType.LINK_HEADER
    assert okta.cursor.type is CursorType.NEXT_REQUEST
    assert okta.records_path == "$"
    assert (okta.event_id_path, okta.event_time_path) == ("uuid", "published")
    assert okta.cursor.first_request.params == {"since": "{start_time}", "limit": "{page_size}"}
    assert okta.schema_file.name == "okta-system-log.schema.json"


def test_load_source_onepassword_builtin_uses_json_body_cursor() -> None:
    onepassword = load_source("onepassword-signin-attempts")
    assert onepassword.request.method == "POST"
    assert onepassword.auth.type is AuthType.BEARER
    assert onepassword.pagination.cursor_in == "json_body"
    assert onepassword.pagination.has_more_path == "has_more"
    assert onepassword.records_path == "items"


def test_list_sources_returns_every_builtin_sorted() -> None:
    ids = [s.id for s in list_sources()]
    assert ids == sorted(ids)
    assert {"okta-system-log", "onepassword-signin-attempts", "auth0-logs", "duo-authentication-log",
            "google-workspace-login", "github-audit-log", "slack-audit-logs",
            "microsoft-graph-signins"} <= set(ids)  # fmt: skip


def test_load_source_unknown_id_suggests_the_closest_ones() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_source("okta-system-logs")
    assert "did you mean okta-system-log?" in str(caught.value)
    assert "docs/sources.md" in str(caught.value)
    assert caught.value.value == "okta-system-logs"


def test_load_source_rejects_path_traversal_ids() -> None:
    with pytest.raises(DefinitionError):
        load_source("../pyproject")


def test_load_source_honours_env_sources_dir(scratch: Path, okta_doc: dict, write_source) -> None:
    okta_doc["id"] = "acme-audit"
    write_source(okta_doc, "acme-audit")
    assert load_source("acme-audit").id == "acme-audit"


def _error(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_source_file(path)
    return caught.value


def test_load_source_file_bad_enum_names_file_path_value_and_choices(okta_doc: dict, write_source) -> None:
    okta_doc["pagination"]["type"] = "links"
    path = write_source(okta_doc)
    error = _error(path)
    message = str(error)
    assert str(path) in message
    assert "pagination.type: 'links' is not one of link_header, body_cursor" in message
    assert "use one of those" in message
    assert (error.path, error.value) == ("pagination.type", "links")


def test_load_source_file_unknown_key_suggests_the_closest(okta_doc: dict, write_source) -> None:
    okta_doc["pagination"]["rell"] = "next"
    error = _error(write_source(okta_doc))
    assert error.path == "pagination.rell"
    assert "did you mean 'rel'?" in str(error)


def test_load_source_file_unknown_top_level_key_suggests_the_closest(okta_doc: dict, write_source) -> None:
    okta_doc["schedul"] = okta_doc.pop("schedule")
    error = _error(write_source(okta_doc))
    paths = [p.path for p in error.problems]
    assert "schedul" in paths and "schedule" in paths
    assert "did you mean 'schedule'?" in str(error)
    assert "required key 'schedule' is missing" in str(error)


def test_load_source_file_missing_required_key_says_what_to_add(okta_doc: dict, write_source) -> None:
    del okta_doc["event"]["time"]
    error = _error(write_source(okta_doc))
    assert error.path == "event.time"
    assert error.value is None
    assert "add 'time'" in error.fix and "event's own time" in error.fix


def test_load_source_file_wrong_type_names_the_expected_type(okta_doc: dict, write_source) -> None:
    okta_doc["page_size"] = "many"
    error = _error(write_source(okta_doc))
    assert error.path == "page_size"
    assert "'many' is not of type integer" in str(error)


def test_load_source_file_kind_specific_required_key(okta_doc: dict, write_source) -> None:
    okta_doc["pagination"] = {"type": "body_cursor", "cursor_path": "cursor"}
    error = _error(write_source(okta_doc))
    assert error.path == "pagination.cursor_param"


def test_load_source_file_key_unused_by_the_kind_is_reported(okta_doc: dict, write_source) -> None:
    okta_doc["pagination"]["cursor_path"] = "cursor"
    error = _error(write_source(okta_doc))
    assert error.path == "pagination.cursor_path"
    assert "not used by pagination.type 'link_header'" in str(error)
    assert error.fix == "remove it, or set pagination.type to one of body_cursor, last_record, which use it"


def test_load_source_file_id_must_match_file_name(okta_doc: dict, write_source) -> None:
    okta_doc["id"] = "okta-logs"
    error = _error(write_source(okta_doc))
    assert error.path == "id"
    assert "set id: okta-system-log" in str(error)


def test_load_source_file_bad_template_points_at_the_placeholder(okta_doc: dict, write_source) -> None:
    okta_doc["mapping"]["summary"] = "login by {actor.alternateId"
    error = _error(write_source(okta_doc))
    assert error.path == "mapping.summary"
    assert "unclosed '{'" in str(error)


def test_load_source_file_missing_raw_schema_is_reported(okta_doc: dict, write_source, scratch: Path) -> None:
    okta_doc["schema"] = "nowhere.schema.json"
    error = _error(write_source(okta_doc))
    assert error.path == "schema"
    assert "nowhere.schema.json" in str(error)


def test_load_source_file_duplicate_yaml_key_is_refused(scratch: Path) -> None:
    path = scratch / "sources" / "dup.yaml"
    path.write_text("id: dup\nid: dup\n")
    error = _error(path)
    assert "duplicate key 'id'" in str(error)
    assert "line 2" in str(error)


def test_load_source_file_yaml_syntax_error_gives_line_and_column(scratch: Path) -> None:
    path = scratch / "sources" / "broken.yaml"
    path.write_text("id: broken\nrequest: [unclosed\n")
    error = _error(path)
    assert "not valid YAML at line" in str(error)
    assert str(path) in str(error)


def test_load_source_file_non_mapping_document_is_refused(scratch: Path) -> None:
    path = scratch / "sources" / "list.yaml"
    path.write_text("- a\n- b\n")
    assert "must hold a mapping" in str(_error(path))


def test_load_source_file_reports_all_problems_at_once(okta_doc: dict, write_source) -> None:
    okta_doc["auth"]["type"] = "token"
    okta_doc["page_size"] = 0
    error = _error(write_source(okta_doc))
    assert {p.path for p in error.problems} >= {"auth.type", "page_size"}
    assert len(str(error).splitlines()) >= 2


def test_load_source_file_invalid_severity_in_table(okta_doc: dict, write_source) -> None:
    okta_doc["mapping"]["severity"]["map"]["WARN"] = "WARN"
    error = _error(write_source(okta_doc))
    assert error.path == "mapping.severity.map.WARN"
    assert "'WARN' is not one of DEBUG, INFO, NOTICE, WARNING" in str(error)


def test_load_source_file_applies_defaults(okta_doc: dict, write_source) -> None:
    for key in ("rate_limit", "max_pages_per_execution", "enabled"):
        okta_doc.pop(key)
    okta_doc["mapping"].pop("hostname")
    definition = load_source_file(write_source(okta_doc))
    assert definition.max_pages_per_execution == 50
    assert definition.enabled is True
    assert definition.rate_limit.retry_after_header == "Retry-After"
    assert definition.mapping.hostname == "okta-system-log"
    assert definition.mapping.timestamp == "published"


def test_load_source_file_docs_example_is_a_valid_definition(scratch: Path) -> None:
    import re

    guide = (Path(__file__).resolve().parents[3] / "docs" / "adding-a-source.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", guide, re.S)
    assert example is not None
    (scratch / "schemas" / "sources" / "acme-audit-log.schema.json").write_text('{"type": "object"}')
    path = scratch / "sources" / "acme-audit-log.yaml"
    path.write_text(example.group(1))
    definition = load_source_file(path)
    assert definition.pagination.type is PaginationType.BODY_CURSOR
    assert definition.mapping.severity.table["critical"] == "CRITICAL"
