"""`efw new-source NAME` and `efw check-source FILE`: start a source, then prove it works;
`efw catalogue sync|check`: docs/sources.md, the catalogue generated from the definitions.

`new-source` writes the definition, raw-event schema, fixture page, golden MozDef output and a
contract test (see `eventframework.local.catalogue.scaffold`). `check-source` validates a definition, then
pulls a few pages: from the bundled sandbox when it has a profile for the source, from a live API
(`--base-url` with the token or whole secret in an environment variable, never on the command line),
or, failing both, maps the source's fixture page offline. It prints the first mapped events.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources, load_source_file
from eventframework.definitions.paths import compile_path
from eventframework.definitions.reads import schema_problems
from eventframework.errors import EventFrameworkError
from eventframework.fetch import fetch_page, parse_records
from eventframework.local.catalogue import scaffold, sources_doc
from eventframework.local.commands.generated import sync_or_check
from eventframework.process import process_records


class CheckSourceError(EventFrameworkError):
    """`check-source` has nothing to run the definition against, or a missing environment variable."""

    def __init__(self, source_id: str, problem: str, fix: str) -> None:
        self.source_id = source_id
        self.fix = fix
        super().__init__(f"check-source {source_id}: {problem}; {fix}")


def register(subparsers: Any) -> None:
    new = subparsers.add_parser(
        "new-source",
        help="scaffold a pull source: definition, raw schema, fixture, golden output and contract test",
    )
    new.add_argument("name", help="source id: lower-case letters, digits and dashes, e.g. acme-audit-log")
    new.add_argument("--root", type=Path, default=Path("."), help="repository root (default: current dir)")
    new.set_defaults(func=new_source_command)
    check = subparsers.add_parser(
        "check-source", help="validate a definition and show the first events it maps (sandbox or live)"
    )
    check.add_argument("file", type=Path, help="the definition, e.g. sources/acme-audit-log.yaml")
    check.add_argument("--base-url", help="pull this live API instead of the sandbox")
    check.add_argument("--token-env", help="environment variable holding the live API token")
    check.add_argument("--secret-env", help="environment variable holding the whole secret as JSON")
    check.add_argument("--pages", type=int, default=2, help="pages to fetch at most (default 2)")
    check.add_argument("--show", type=int, default=3, help="mapped events to print (default 3)")
    check.set_defaults(func=check_source_command)
    catalogue = subparsers.add_parser("catalogue", help="generate docs/sources.md from sources/*.yaml")
    catalogue.add_argument("action", choices=("sync", "check"), help="sync: rewrite; check: exit 1 if stale")
    catalogue.add_argument("--doc", type=Path, default=Path("docs/sources.md"), help="the catalogue page")
    catalogue.set_defaults(func=catalogue_command)


def catalogue_command(args: argparse.Namespace) -> int:
    wanted = sources_doc.render(list_sources())
    return sync_or_check(args.action, args.doc, wanted, origin="sources/", command="efw catalogue sync")


def new_source_command(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    plan = scaffold.plan(args.name, root)
    scaffold.write(plan)
    definition = load_source_file(plan.definition)
    events, dead = _map(definition, _fixture_records(definition, plan.fixture))
    if dead:
        raise CheckSourceError(args.name, "the scaffold's own fixture does not map", "report this as a bug")
    plan.expected.write_text(json.dumps(events, indent=2) + "\n", encoding="utf-8")
    for path in plan.files():
        print(f"created {path.relative_to(root)}")
    test = plan.test.relative_to(root)
    print(f"\nnext: edit {plan.definition.relative_to(root)} for the vendor's API (docs/adding-a-source.md),")
    print(
        f"      then: .venv/bin/pytest {test} -q   and   efw check-source {plan.definition.relative_to(root)}"
    )
    return 0


def _fixture_records(definition: SourceDefinition, fixture: Path) -> list[Any]:
    records = compile_path(definition.records_path)(json.loads(fixture.read_text(encoding="utf-8")))
    if not isinstance(records, list):
        raise CheckSourceError(
            definition.id,
            f"records path '{definition.records_path}' finds no list in {fixture}",
            "fix records.path or the fixture",
        )
    return records


def _map(definition: SourceDefinition, records: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    result = process_records(definition, records, set())
    return result.events, [f"{d.error_kind}: {d.message}" for d in result.dead]


def _live_credentials(args: argparse.Namespace, source_id: str) -> dict[str, str]:
    variable = args.secret_env or args.token_env
    value = os.environ.get(variable or "")
    if not variable or not value:
        raise CheckSourceError(
            source_id,
            f"--base-url needs credentials from the environment (got {variable or 'no variable'})",
            "export the token and pass --token-env NAME, or the JSON secret and pass --secret-env NAME",
        )
    if args.secret_env:
        try:
            secret = json.loads(value)
        except json.JSONDecodeError:
            raise CheckSourceError(
                source_id, f"{variable} is not JSON", "export the secret as a JSON object"
            ) from None
        return {str(k): str(v) for k, v in secret.items()} | {"base_url": args.base_url}
    return {"base_url": args.base_url, "token": value}


@contextmanager
def _target(
    args: argparse.Namespace, definition: SourceDefinition
) -> Iterator[tuple[str, dict[str, str] | None]]:
    """(what we run against, credentials); credentials None means: map the fixture page offline."""
    if args.base_url:
        yield args.base_url, _live_credentials(args, definition.id)
        return
    from eventframework.local.sandbox import SOURCES, Sandbox

    if definition.id in SOURCES:
        # A minute apart, so sources that stay behind now (Duo's two-minute delay) still see most.
        with Sandbox(events={definition.id: 25}, seed=7, interval=timedelta(minutes=1)) as sandbox:
            yield f"sandbox {sandbox.base_url}", sandbox.credentials(definition.id)
        return
    yield "fixture page (no sandbox profile for this source; pass --base-url for a live check)", None


def _pull(definition: SourceDefinition, credentials: dict[str, str], pages: int) -> Iterator[list[Any]]:
    cursor: str | None = None
    for _ in range(max(pages, 1)):
        page = fetch_page(definition, credentials, cursor, now=time.time)
        print(f"  page: {page.count} events from {page.url} (more: {page.has_more})")
        yield parse_records(definition, page.body, page.url)[1]  # as ProcessPage reads the stored page
        cursor = page.next_cursor
        if not page.has_more:
            return


def check_source_command(args: argparse.Namespace) -> int:
    definition = load_source_file(args.file)
    print(f"{args.file}: valid definition of '{definition.id}'")
    schema = json.loads(definition.schema_file.read_text(encoding="utf-8"))
    problems = schema_problems(definition, schema)
    for problem in problems:
        print(f"  raw schema {definition.schema_file.name}: {problem}", file=sys.stderr)
    with _target(args, definition) as (target, credentials):
        print(f"running against {target}")
        if credentials is None:
            fixture = args.file.resolve().parents[1] / "tests" / "fixtures" / definition.id / "page.json"
            if not fixture.is_file():
                raise CheckSourceError(
                    definition.id, f"no fixture {fixture} to map", "pass --base-url, or add the fixture page"
                )
            batches: Iterator[list[Any]] = iter([_fixture_records(definition, fixture)])
        else:
            batches = _pull(definition, credentials, args.pages)
        events: list[dict[str, Any]] = []
        dead: list[str] = []
        for records in batches:
            mapped, failed = _map(definition, records)
            events += mapped
            dead += failed
    print(f"mapped {len(events)} events, {len(dead)} would be dead-lettered")
    for reason in dead[:10]:
        print(f"  dead letter: {reason}", file=sys.stderr)
    for event in events[: args.show]:
        print(json.dumps(_shown(event), indent=2))
    return 1 if dead or problems or not events else 0


def _shown(event: dict[str, Any]) -> dict[str, Any]:
    """The event without details.raw, which would drown the mapped fields on a terminal."""
    details = {k: v for k, v in event["details"].items() if k != "raw"}
    return event | {"details": details}
