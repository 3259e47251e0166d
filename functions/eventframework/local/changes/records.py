"""Where a stack keeps the fingerprints it was last reprocessed with, one record per mode.

On AWS an SSM parameter per stack and mode, `/<stack>/reprocess/published` and
`/<stack>/reprocess/dry-run`: the pipeline's post-deploy step reads it, reprocesses what differs and
writes it back, so it needs no git history and no "previously deployed revision". Recording what was
*reprocessed* rather than what was *deployed* makes the step safe to retry and to skip: a deploy whose
reprocess failed or never ran is still different from the record next time. The two modes keep
separate records so a dry run never hides a source from the real run that should follow it.
Locally the same two records are JSON files in the state directory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from eventframework.errors import EventFrameworkError


def mode_name(dry_run: bool) -> str:
    return "dry-run" if dry_run else "published"


def parameter_name(stack: str, dry_run: bool) -> str:
    """The SSM parameter of a stack's record (pipeline/*.yaml grants exactly these names)."""
    return f"/{stack}/reprocess/{mode_name(dry_run)}"


class RecordError(EventFrameworkError):
    """A stored record is not a JSON object of source id to fingerprint; `where` says which."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(
            f"{where} is not a JSON object of source id to fingerprint; delete it and every source "
            "counts as changed on the next run"
        )


def _decoded(text: str, where: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        raise RecordError(where) from None
    if not isinstance(data, dict) or not all(isinstance(value, str) for value in data.values()):
        raise RecordError(where)
    return data


def _encoded(fingerprints: Mapping[str, str]) -> str:
    return json.dumps(dict(fingerprints), sort_keys=True, separators=(",", ":"))


class FingerprintRecord(Protocol):
    """The fingerprints a stack was last reprocessed with; None when it never was."""

    where: str

    def load(self) -> dict[str, str] | None: ...

    def save(self, fingerprints: Mapping[str, str]) -> None: ...


class SsmRecord:
    """The record as an SSM parameter (String; Intelligent-Tiering lets it outgrow 4 KB)."""

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = name
        self.where = f"SSM parameter {name}"

    def load(self) -> dict[str, str] | None:
        try:
            value = self._client.get_parameter(Name=self.name)["Parameter"]["Value"]
        except self._client.exceptions.ParameterNotFound:
            return None
        return _decoded(value, self.where)

    def save(self, fingerprints: Mapping[str, str]) -> None:
        self._client.put_parameter(
            Name=self.name,
            Description="Source fingerprints this stack was last reprocessed with (efw reprocess-changed)",
            Value=_encoded(fingerprints),
            Type="String",
            Tier="Intelligent-Tiering",
            Overwrite=True,
        )


class FileRecord:
    """The record as a file of the local state directory, replaced whole (never half written)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    @classmethod
    def in_state_dir(cls, state_dir: Path, dry_run: bool) -> FileRecord:
        return cls(state_dir / "reprocess" / f"{mode_name(dry_run)}.json")

    def load(self) -> dict[str, str] | None:
        if not self.path.exists():
            return None
        return _decoded(self.path.read_text(encoding="utf-8"), self.where)

    def save(self, fingerprints: Mapping[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".json.partial")
        partial.write_text(_encoded(fingerprints) + "\n", encoding="utf-8")
        partial.replace(self.path)
