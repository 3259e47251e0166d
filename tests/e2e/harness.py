"""A world for end-to-end pull tests: sandbox API + embedded emulator + local engine, counted.

Each guarantee test pulls through the real state machine and handlers, then counts: every event
ingested at the source must be on the queue exactly once, or in the dead-letter store with its reason.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from eventframework.definitions import load_source
from eventframework.definitions.identity import event_id_reader
from eventframework.local.emulator.environment import patched_environment
from eventframework.local.engine import VirtualClock
from eventframework.local.ops.local_ops import LocalOps
from eventframework.local.run.pull import LocalPull, LocalRunOptions, RunSummary
from eventframework.local.run.sandbox_state import make_sandbox
from eventframework.local.sandbox import Sandbox
from eventframework.pipeline.backfill import BackfillRange

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function"
SMALL_OKTA_EVENTS = 400  # the `small_okta_world` fixture's size
FETCH_ATTEMPTS = 6  # "Fetch page" retries SourceUnavailableError 5 times after the first attempt
# Where each source's event id is in the raw event (a dotted path).


def function_arn(logical_id: str) -> str:
    return f"{ACCOUNT_ARN}:{logical_id}"


@dataclass
class PullWorld:
    """One sandbox and one state directory shared by consecutive runs, like a deployed schedule."""

    sandbox: Sandbox
    root: Path
    clock: VirtualClock = field(default_factory=lambda: VirtualClock(start=datetime.now(UTC)))
    runs: list[RunSummary] = field(default_factory=list)

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def out(self, source: str) -> Path:
        return self.root / "out" / f"{source}.jsonl"

    def tune_source(self, source: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Edit this world's copy of a source definition (short timeouts, a small page cap, ...)."""
        path = self.root / "sources" / f"{source}.yaml"
        definition = yaml.safe_load(path.read_text())
        change(definition)
        path.write_text(yaml.safe_dump(definition, sort_keys=False))

    def tune_schema(self, source: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Edit this world's copy of a source's raw-event schema."""
        path = self.root / "schemas" / "sources" / f"{source}.schema.json"
        schema = json.loads(path.read_text())
        change(schema)
        path.write_text(json.dumps(schema))

    def run(
        self,
        source: str,
        lambdas: Mapping[str, Any] | None = None,
        redrive: str | None = None,
        backfill: BackfillRange | None = None,
    ) -> RunSummary:
        """One scheduled run (or, with `redrive`, RedriveExecution of a failed one; with `backfill`,
        `efw backfill` of that range)."""
        options = LocalRunOptions(
            source=source,
            template=REPO / "template.yaml",
            state_dir=self.state_dir,
            out=self.out(source),
            redrive=redrive,
            backfill=backfill,
        )
        with patched_environment(
            {"EFW_SOURCES_DIR": str(self.root / "sources"), "EFW_SCHEMAS_DIR": str(self.root / "schemas")}
        ):
            summary = LocalPull(options, self.clock, sandbox=self.sandbox, lambdas=lambdas).run()
        self.runs.append(summary)
        return summary

    def definitions(self) -> Any:
        """The environment that points the handlers at this world's copies of sources and schemas."""
        return patched_environment(
            {"EFW_SOURCES_DIR": str(self.root / "sources"), "EFW_SCHEMAS_DIR": str(self.root / "schemas")}
        )

    def ops(self, lambdas: Mapping[str, Any] | None = None) -> LocalOps:
        """The operator commands' local backend on this world's state directory, sandbox and clock."""
        return LocalOps(
            self.state_dir,
            REPO / "template.yaml",
            out_dir=self.root / "out",
            clock=self.clock,
            sandbox=self.sandbox,
            lambdas=lambdas,
        )

    def expire_leases(self) -> None:
        """Let the lease of a failed run lapse, as it does on its own after its expiry time."""
        path = self.state_dir / "tables" / "StateTable.jsonl"
        items = [json.loads(line) for line in path.read_text().splitlines() if line]
        for item in items:
            if "lease_expires_at" in item:
                item["lease_expires_at"] = {"N": "0"}
        path.write_text("".join(json.dumps(item) + "\n" for item in items))

    def delivered(self, source: str) -> list[dict[str, Any]]:
        path = self.out(source)
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def dead_letters(self, source: str) -> list[dict[str, Any]]:
        path = self.state_dir / "tables" / "DeadLetterTable.jsonl"
        if not path.exists():
            return []
        items = [json.loads(line) for line in path.read_text().splitlines() if line]
        return [
            {key: next(iter(value.values())) for key, value in item.items()}
            for item in items
            if item["source"]["S"] == source
        ]

    def source_ids(self, source: str) -> list[str]:
        event_id = event_id_reader(load_source(source))
        return [str(event_id(event)) for event in self.sandbox.events(source)]

    def assert_each_event_once(self, source: str) -> None:
        """Every source event is delivered exactly once or dead-lettered with a reason; no extras."""
        delivered = Counter(event["details"]["source_event_id"] for event in self.delivered(source))
        duplicates = {event_id: n for event_id, n in delivered.items() if n > 1}
        assert not duplicates, (
            f"{len(duplicates)} events delivered more than once, e.g. {list(duplicates)[:3]}"
        )
        dead = {self._dead_id(letter): letter for letter in self.dead_letters(source)}
        assert all(letter.get("message") for letter in dead.values()), "a dead letter has no reason"
        expected = set(self.source_ids(source))
        accounted = set(delivered) | set(dead)
        missing = expected - accounted
        assert not missing, f"{len(missing)} source events lost, e.g. {sorted(missing)[:3]}"
        unknown = accounted - expected
        assert not unknown, f"{len(unknown)} delivered events the source never had"

    @staticmethod
    def _dead_id(letter: Mapping[str, Any]) -> str:
        raw = json.loads(letter["raw"]) if isinstance(letter.get("raw"), str) else {}
        return str(raw.get("uuid") or letter["event_key"])


def make_world(
    root: Path, events: Mapping[str, int], seed: int = 11, *, sandbox: Sandbox | None = None
) -> tuple[PullWorld, Sandbox]:
    """Copy the real definitions into `root` (so tests can tune them) and make a sandbox (or take
    `sandbox`, e.g. one whose events lie further in the past)."""
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copytree(REPO / "schemas", root / "schemas")
    sandbox = sandbox or make_sandbox(events, seed=seed)
    return PullWorld(sandbox=sandbox, root=root), sandbox


@contextmanager
def serving_world(root: Path, source: str, events: int, page_size: int) -> Iterator[PullWorld]:
    """A world of one source with `events` events, pulled `page_size` at a time, its sandbox serving
    for the duration of the block (what most end-to-end fixtures need)."""
    world, sandbox = make_world(root, {source: events})
    world.tune_source(source, lambda d: d.update(page_size=page_size))
    with sandbox:
        yield world
