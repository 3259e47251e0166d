"""Loading source definitions: YAML -> schema validation -> cross-field checks -> frozen dataclasses.

Validation happens here, once, so the hot path can trust every field. The schema check asks
jsonschema-rs first, which settles a valid definition in microseconds; only a definition it refuses
goes to jsonschema, whose errors carry what the messages need (the failing keyword, its path and
value). A run that loads valid definitions therefore never imports jsonschema and the referencing
stack under it (~0.1 s of a local run's start-up); both libraries validate draft 2020-12, and a test
holds their verdicts equal over every source and a set of broken ones. The schema also refuses a
key the block's kind does not use (generated from the kinds' declarations, see
``definitions.kinds``). Cross-field rules the schema cannot say (id matches the file name, template
syntax, the raw-event schema exists) follow.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema_rs import validator_for

from eventframework.definitions import build
from eventframework.definitions.errors import DefinitionError, Problem
from eventframework.definitions.locations import display_path, schemas_dir, sources_dir
from eventframework.definitions.model import SourceDefinition
from eventframework.definitions.templates import TemplateSyntaxError, parse_template
from eventframework.definitions.webhook import pull_section_problems, with_inert_pull_sections

_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

_TEMPLATE_KEYS = ("summary", "category", "hostname", "processname")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}: keep only one", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@lru_cache(maxsize=1)
def _definition_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (schemas_dir() / "source-definition.schema.json").read_text(encoding="utf-8")
    )
    return schema


@lru_cache(maxsize=1)
def _definition_is_valid() -> Callable[[Any], bool]:
    is_valid: Callable[[Any], bool] = validator_for(_definition_schema()).is_valid
    return is_valid


def schema_problems(doc: dict[str, Any]) -> list[Problem]:
    """What the definition schema refuses in ``doc``, worded for the user (none for a valid one)."""
    if _definition_is_valid()(doc):
        return []
    # Imported here: only a refused definition needs jsonschema's detailed errors.
    from jsonschema import Draft202012Validator

    from eventframework.definitions.messages import problems_from

    validator = Draft202012Validator(_definition_schema())
    return [problem for error in validator.iter_errors(doc) for problem in problems_from(error)]


def _read_yaml(path: Path, name: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError.single(
            name, "$", None, f"cannot read file ({exc.strerror})", "check the path"
        ) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError.single(
            name, "$", None, f"not valid YAML at {where}: {problem}", "fix the YAML syntax"
        ) from exc


def _template_problems(mapping: dict[str, Any]) -> list[Problem]:
    problems = []
    for key in _TEMPLATE_KEYS:
        if key in mapping:
            try:
                parse_template(mapping[key])
            except TemplateSyntaxError as exc:
                problems.append(
                    Problem(f"mapping.{key}", mapping[key], str(exc), "use {dotted.path} placeholders")
                )
    for name, spec in mapping.get("details", {}).items():
        if isinstance(spec, dict) and "template" in spec:
            try:
                parse_template(spec["template"])
            except TemplateSyntaxError as exc:
                problems.append(
                    Problem(
                        f"mapping.details.{name}.template", spec["template"], str(exc), "fix the placeholder"
                    )
                )
    return problems


def _semantic_problems(doc: dict[str, Any], path: Path) -> list[Problem]:
    problems: list[Problem] = []
    if doc["id"] != path.stem:
        problems.append(
            Problem(
                "id",
                doc["id"],
                f"does not match the file name '{path.name}'",
                f"set id: {path.stem} or rename the file",
            )
        )
    problems += _template_problems(doc["mapping"])
    schema_name = doc.get("schema", f"{doc['id']}.schema.json")
    schema_path = schemas_dir() / "sources" / schema_name
    if not schema_path.is_file():
        problems.append(
            Problem(
                "schema",
                schema_name,
                f"raw-event schema {display_path(schema_path)} not found",
                "create it (see docs/adding-a-source.md)",
            )
        )
    return problems


def load_source_file(path: str | Path) -> SourceDefinition:
    """Load and validate one definition file; raise :class:`DefinitionError` listing every problem."""
    file = Path(path)
    name = display_path(file)
    doc = _read_yaml(file, name)
    if not isinstance(doc, dict):
        raise DefinitionError.single(
            name, "$", doc, "the file must hold a mapping of keys", "start from sources/okta-system-log.yaml"
        )
    problems = schema_problems(doc) + pull_section_problems(doc)
    if problems:
        raise DefinitionError(name, sorted(problems, key=lambda problem: problem.path))
    problems = _semantic_problems(with_inert_pull_sections(doc), file)
    if problems:
        raise DefinitionError(name, problems)
    schema_path = schemas_dir() / "sources" / doc.get("schema", f"{doc['id']}.schema.json")
    return build.definition(doc, file, schema_path)


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int) -> SourceDefinition:
    return load_source_file(path)


def load_source(source_id: str) -> SourceDefinition:
    """The definition of ``source_id`` from the sources directory, cached until the file changes."""
    directory = sources_dir()
    file = directory / f"{source_id}.yaml"
    if not _SOURCE_ID.match(source_id) or not file.is_file():
        ids = [p.stem for p in sorted(directory.glob("*.yaml"))]
        close = difflib.get_close_matches(source_id, ids, n=3, cutoff=0.75)
        fix = f"did you mean {' or '.join(close)}? " if close else ""
        raise DefinitionError.single(
            display_path(file),
            "id",
            source_id,
            "no such source",
            f"{fix}the {len(ids)} defined sources are listed in docs/sources.md"
            if ids
            else f"no definitions in {directory}",
        )
    return _load_cached(file, file.stat().st_mtime_ns)


def list_sources() -> list[SourceDefinition]:
    """Every definition in the sources directory, sorted by id; the first invalid file raises."""
    return [load_source(p.stem) for p in sorted(sources_dir().glob("*.yaml"))]
