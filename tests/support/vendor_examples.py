"""The vendors' own published examples under tests/fixtures/<id>/vendor/, and their provenance.

Each folder has a README.md whose table names, for every example file, the documentation page it
was copied from and the date it was read; a note starting with ``broken:`` records what is wrong
with an example the vendor published that way (kept verbatim all the same). File names say what an
example is: ``response-*.json`` is a whole response body of the pulled endpoint, ``event-*.json`` one
event (one pushed webhook body, one EventBridge event), ``handshake-*.json`` a webhook challenge.
A vendor that publishes an envelope and its content apart (AWS: the EventBridge envelope with a
``{GUARDDUTY_FINDING_JSON_OBJECT}`` placeholder, the findings elsewhere) gets a note
``inside <envelope file> at <placeholder>``: the example is the content placed verbatim there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KINDS = ("response", "event", "handshake")
_INSIDE = re.compile(r"^inside (?P<envelope>\S+) at (?P<placeholder>\{\w+\}|<[\w ]+>)")
_ROW = re.compile(
    r"^\|\s*(?P<file>[^|]+?)\s*\|\s*(?P<page>[^|]+?)\s*\|\s*(?P<read>[^|]+?)\s*\|(?P<notes>.*)\|\s*$"
)


class ProvenanceError(AssertionError):
    """A vendor folder whose README does not account for its files (names the folder and the fix)."""


@dataclass(frozen=True)
class VendorExample:
    """One example file and where it came from."""

    source: str
    path: Path
    page: str
    read: date
    notes: str

    @property
    def kind(self) -> str:
        return self.path.name.split("-", 1)[0]

    @property
    def broken(self) -> str | None:
        """What is wrong with the example, when the README says it is broken."""
        return self.notes[len("broken:") :].strip() if self.notes.startswith("broken:") else None

    def text(self) -> bytes:
        """The example's bytes as the vendor would send them (placed in its envelope, if it has one)."""
        content = self.path.read_bytes()
        inside = _INSIDE.match(self.notes)
        if inside is None:
            return content
        envelope = (self.path.parent / inside["envelope"]).read_bytes()
        placeholder = inside["placeholder"].encode()
        if placeholder not in envelope:
            raise ProvenanceError(f"{self.path}: {inside['envelope']} has no {inside['placeholder']}")
        # Security Hub writes `[{ <finding content> }]`: the braces are the placeholder's, the content
        # brings its own.
        alone = re.compile(rb"\{\s*" + re.escape(placeholder) + rb"\s*\}")
        if alone.search(envelope):
            return alone.sub(lambda _: content.strip(), envelope, count=1)
        return envelope.replace(placeholder, content.strip())

    @property
    def test_id(self) -> str:
        return f"{self.source}/{self.path.name}"


def vendor_folder(source: str) -> Path:
    return FIXTURES / source / "vendor"


def _rows(readme: Path) -> list[dict[str, str]]:
    rows = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match and match["file"] not in ("file",) and not set(match["file"]) <= set("-: "):
            rows.append({key: value.strip() for key, value in match.groupdict().items()})
    return rows


def examples_of(source: str) -> list[VendorExample]:
    """The examples of ``source``, each checked against its README row; raises on any gap."""
    folder = vendor_folder(source)
    readme = folder / "README.md"
    if not readme.is_file():
        raise ProvenanceError(f"{folder}: no README.md naming each example's documentation page and date")
    examples = []
    for row in _rows(readme):
        path = folder / row["file"].strip("`")
        if not path.is_file():
            raise ProvenanceError(f"{readme}: lists {path.name}, which is not in the folder")
        if not row["page"].startswith("https://"):
            raise ProvenanceError(f"{readme}: {path.name}: page {row['page']!r} is not an https URL")
        try:
            read = date.fromisoformat(row["read"])
        except ValueError:
            raise ProvenanceError(f"{readme}: {path.name}: read {row['read']!r} is not YYYY-MM-DD") from None
        if path.name.split("-", 1)[0] not in KINDS:
            raise ProvenanceError(f"{readme}: {path.name}: name it response-*, event-* or handshake-*")
        examples.append(VendorExample(source, path, row["page"], read, row["notes"]))
    listed = {example.path.name for example in examples}
    unlisted = sorted(p.name for p in folder.iterdir() if p.name != "README.md" and p.name not in listed)
    if unlisted:
        raise ProvenanceError(f"{readme}: add a row (page, date) for {', '.join(unlisted)}")
    if not examples:
        raise ProvenanceError(f"{readme}: the table lists no example")
    return examples
