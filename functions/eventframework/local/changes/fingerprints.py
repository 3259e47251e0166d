"""Per-source fingerprints: a hash of exactly what decides whether a dead letter now passes.

ReprocessBatch re-runs `PageProcessor` on each dead letter, and that reads the raw-event schema, the
mapping (time path, templates, tables, limits), the event-id path, the hook (and its code) and the
MozDef contract schema. Those, parsed and canonicalised, are the fingerprint: a comment, a key order
or a schedule change moves nothing, a changed rule does. Fingerprints are computed from the files
themselves, not from git, so the pipeline needs no history: the build writes them next to the
packaged template (`efw fingerprints`) and the post-deploy step compares them with the stack's record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources, schemas_dir
from eventframework.errors import EventFrameworkError
from eventframework.process.validation import MOZDEF_SCHEMA

# Part of every fingerprint: bump it when what a fingerprint covers changes, so every source counts
# as changed once rather than comparing unlike hashes.
FINGERPRINT_VERSION = 1
DIGEST_CHARS = 16  # 64 bits: change detection, not security; keeps the stack's record small


class FingerprintFileError(EventFrameworkError):
    """A fingerprints file is missing or not a JSON object of source id to fingerprint."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"{path}: {problem}; write it with `efw fingerprints --out {path}` (the build step does)"
        )


def _plain(value: Any) -> Any:
    """A definition part as plain JSON data (dataclasses, mappings, tuples, enums, paths)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Path):
        return str(value)
    return value


def _hook_code(hook: str | None) -> str | None:
    """The hook module's source text: a fixed hook must count as a changed mapping."""
    if not hook:
        return None
    spec = importlib.util.find_spec(hook.partition(":")[0])
    if spec is None or spec.origin is None or not Path(spec.origin).is_file():
        return None  # the loader reports an unimportable hook; here it only means "no code to hash"
    return Path(spec.origin).read_text(encoding="utf-8")


def _json_file(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def source_fingerprint(definition: SourceDefinition, contract: Any) -> str:
    """The fingerprint of one source; `contract` is the parsed MozDef event schema."""
    covered = {
        "version": FINGERPRINT_VERSION,
        "source": definition.id,
        "event_id_path": definition.event_id_path,
        "mapping": _plain(definition.mapping),
        "hook": definition.hook,
        "hook_code": _hook_code(definition.hook),
        "schema": _json_file(definition.schema_file),
        "contract": contract,
    }
    text = json.dumps(covered, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def fingerprints(definitions: Iterable[SourceDefinition] | None = None) -> dict[str, str]:
    """Fingerprints of the given definitions (default: every source in the sources directory)."""
    contract = _json_file(schemas_dir() / MOZDEF_SCHEMA)
    chosen = list_sources() if definitions is None else definitions
    return {definition.id: source_fingerprint(definition, contract) for definition in chosen}


def fingerprints_text(values: Mapping[str, str]) -> str:
    """The fingerprints file: one source per line, sorted, so a diff of two builds reads easily."""
    return json.dumps(dict(values), indent=2, sort_keys=True) + "\n"


def read_fingerprints(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FingerprintFileError(path, "no such file") from None
    except ValueError as error:
        raise FingerprintFileError(path, f"not JSON ({error})") from None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in data.items()
    ):
        raise FingerprintFileError(path, "not an object of source id to fingerprint")
    return data
