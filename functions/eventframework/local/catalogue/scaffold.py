"""`efw new-source` scaffolding: a working starting point for a new pull source, in four files.

The definition is a bearer-token API with a cursor in the body, the most common shape; the fixture
page and the contract test's stub follow it, so the scaffold passes its own tests before the author
changes anything, and every later edit is checked by those tests. The expected MozDef output is
generated from the fixture through the real mapping, then kept as the golden file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from eventframework.errors import EventFrameworkError

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class ScaffoldError(EventFrameworkError):
    """The new source cannot be scaffolded (bad id, or a file that would be overwritten)."""

    def __init__(self, source_id: str, problem: str, fix: str) -> None:
        self.source_id = source_id
        self.problem = problem
        self.fix = fix
        super().__init__(f"new-source {source_id}: {problem}; {fix}")


DEFINITION = Template("""\
# $title: what this source pulls, which API, how it pages, and what its secret holds.
# Secret (efw/$id): {"base_url": "https://api.vendor.example", "token": "<API token>"}
# Edit every block to match the vendor's documentation; docs/adding-a-source.md explains each key.
id: $id
description: $title events.
vendor:
  name: "$title"
  reference: https://api.vendor.example/docs/audit-events  # the API reference page you followed
  permissions:
    - "the role or scope the vendor's page names for this endpoint"
enabled: true
schedule: rate(5 minutes)
max_pages_per_execution: 50
page_size: 100
request:
  path: /api/v1/audit-events
  method: GET
  headers:
    Accept: application/json
auth:
  type: bearer
pagination:
  type: body_cursor
  cursor_path: meta.next_cursor
  cursor_param: cursor
  in: query
  has_more_path: meta.has_more
records:
  path: data
event:
  id: id
  time: created_at
cursor:
  type: next_request
  initial_lookback_seconds: 3600
  first_request:
    params:
      since: "{start_time}"
      limit: "{page_size}"
rate_limit:
  retry_after_header: Retry-After
  max_wait_seconds: 300
mapping:
  category: "$id"
  summary: "$title {action} by {actor.email} from {client.ip} ({outcome})"
  severity:
    path: outcome
    map:
      success: INFO
      failure: WARNING
    default: NOTICE
  hostname: "$id"
  processname: "$id"
  tags: [$id]
  details:
    eventtype: action
    username: actor.email
    sourceipaddress: client.ip
    useragent: client.user_agent
    success:
      path: outcome
      map:
        success: true
      default: false
  keep_raw:
    enabled: true
    max_bytes: 16384
""")

# The raw schema is a contract, not a copy of the vendor's type (docs/adding-a-source.md): it
# requires only what the event id, time and cursor read, types what the mapping reads (null allowed
# where the vendor sends null) and lets everything else through: no enums, no closed objects.
RAW_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "description": "Requires only what the event id, time and cursor read; types what the mapping reads; "
    "lets everything else through (docs/adding-a-source.md, 'The raw schema is a contract').",
    "type": "object",
    "required": ["id", "created_at"],
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 128},
        "created_at": {
            "type": "string",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
        },
        "action": {"type": ["string", "null"]},
        "outcome": {"type": ["string", "null"]},
        "actor": {"type": "object", "properties": {"email": {"type": ["string", "null"]}}},
        "client": {
            "type": "object",
            "properties": {"ip": {"type": ["string", "null"]}, "user_agent": {"type": ["string", "null"]}},
        },
    },
}


VENDOR_README = Template("""\
# $title: vendor examples

Copy the example responses or events the vendor publishes in its API reference (or in its own
SDK's tests) into this folder byte for byte, named `response-*.json` (a whole response of the
endpoint) or `event-*.json` (one event), and add a row for each. A note starting with `broken:`
records what is wrong with an example the vendor published that way; keep it verbatim all the same.
tests/unit/catalogue/test_vendor_examples.py runs every row through the real code, and fails until
the table lists at least one well-formed example.

| file | page | read | notes |
|---|---|---|---|
""")


def fixture_page(source_id: str) -> dict[str, object]:
    """Three events shaped like the scaffold's API: one success, one failure, one without an IP."""
    people = [
        ("ada", "198.51.100.23", "success"),
        ("grace", "203.0.113.77", "failure"),
        ("alan", None, "success"),
    ]
    events = [
        {
            "id": f"{source_id}-evt-{n}",
            "created_at": f"2024-08-14T09:1{n}:45.207Z",
            "action": "user.login",
            "outcome": outcome,
            "actor": {"email": f"{who}@sandbox-corp.example"},
            "client": {"ip": ip, "user_agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15"},
        }
        for n, (who, ip, outcome) in enumerate(people, start=1)
    ]
    return {"data": events, "meta": {"next_cursor": "c-3", "has_more": False}}


TEST = Template('''\
"""$title: golden mapping and a contract test of a full pull through a loopback stub.

The stub `serve` below is where the vendor's paging lives: make it answer the way the vendor's
documentation says (filter, page size, cursor), so the contract test proves the definition.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from loopback import StubReply, StubRequest, serving
from scaffold_support import pull_all

from eventframework.definitions import load_source
from eventframework.process import process_records

SOURCE = "$id"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / SOURCE
TOKEN = "stub-token"


def fixture_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads((FIXTURES / "page.json").read_text())["data"]
    return events


def serve(request: StubRequest) -> StubReply:
    """The vendor's endpoint: bearer auth, `since` on the first page, `cursor` after, `limit` per page."""
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        return StubReply(401, {"error": "unauthorized"})
    events = fixture_events()
    start = int(request.query.get("cursor", "c-0").removeprefix("c-"))
    end = start + int(request.query.get("limit", 100))
    more = end < len(events)
    meta = {"next_cursor": f"c-{min(end, len(events))}", "has_more": more}
    return StubReply(200, {"data": events[start:end], "meta": meta})


def test_${name}_mapping_matches_golden_file() -> None:
    result = process_records(load_source(SOURCE), fixture_events(), set())
    assert result.dead == []
    assert result.events == json.loads((FIXTURES / "expected-mozdef.json").read_text())


def test_${name}_pull_delivers_every_fixture_event_once() -> None:
    with serving({("GET", "/api/v1/audit-events"): serve}) as stub:
        delivered = pull_all(SOURCE, {"base_url": stub.url, "token": TOKEN}, page_size=2)
    assert sorted(e["details"]["source_event_id"] for e in delivered) == sorted(
        e["id"] for e in fixture_events()
    )
''')


@dataclass(frozen=True)
class Scaffold:
    """The files of a new source, relative to the repository root."""

    source_id: str
    root: Path

    @property
    def definition(self) -> Path:
        return self.root / "sources" / f"{self.source_id}.yaml"

    @property
    def schema(self) -> Path:
        return self.root / "schemas" / "sources" / f"{self.source_id}.schema.json"

    @property
    def fixture(self) -> Path:
        return self.root / "tests" / "fixtures" / self.source_id / "page.json"

    @property
    def expected(self) -> Path:
        return self.fixture.with_name("expected-mozdef.json")

    @property
    def vendor_readme(self) -> Path:
        return self.fixture.with_name("vendor") / "README.md"

    @property
    def test(self) -> Path:
        return self.root / "tests" / "unit" / "catalogue" / f"test_{self.source_id.replace('-', '_')}.py"

    def files(self) -> list[Path]:
        return [self.definition, self.schema, self.fixture, self.expected, self.vendor_readme, self.test]


def plan(source_id: str, root: Path) -> Scaffold:
    if not SOURCE_ID.match(source_id):
        raise ScaffoldError(source_id, "not a valid source id", "use lower-case letters, digits and dashes")
    scaffold = Scaffold(source_id, root)
    existing = [str(p.relative_to(root)) for p in scaffold.files() if p.exists()]
    if existing:
        raise ScaffoldError(
            source_id, f"{', '.join(existing)} already exist", "pick another id or remove them"
        )
    return scaffold


def write(scaffold: Scaffold) -> None:
    """Write the definition, schema, fixture and test (the golden file is written by the caller)."""
    source_id = scaffold.source_id
    title = source_id.replace("-", " ").title()
    raw_schema = {"$id": f"urn:eventframework:raw:{source_id}", "title": f"{title} event"} | RAW_SCHEMA
    contents = {
        scaffold.definition: DEFINITION.substitute(id=source_id, title=title),
        scaffold.schema: json.dumps(raw_schema, indent=2) + "\n",
        scaffold.fixture: json.dumps(fixture_page(source_id), indent=2) + "\n",
        scaffold.test: TEST.substitute(id=source_id, title=title, name=source_id.replace("-", "_")),
        scaffold.vendor_readme: VENDOR_README.substitute(title=title),
    }
    for path, text in contents.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
