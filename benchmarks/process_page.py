"""Process-page throughput on one core: validate, dedup, normalise, serialise, batch into a sink.

Okta-shaped pages of 1,000 sandbox events (2-3 KB each) go through what ProcessPage does between
reading the page and the SQS call: ``parse_records`` (json), ``process_records`` (ledger dedup,
raw-schema check, normalisation, MozDef contract, size limit) and ``SqsPublisher.publish`` (encode,
pack into SendMessageBatch requests of <= 10 entries / 256 KB) into an in-memory client that keeps
the batches. Beside it, in the same run, the naive baseline a first version would write:

  naive: json.loads, a ``jsonschema`` Draft7Validator (built once, with its format checker) called
  per event for the raw schema and again for the MozDef schema, the same normalisation,
  ``json.dumps`` for details.raw and for every body.

Both are timed on the same pages, alternating, best of ``--repeat``; events/s is over wall-clock
time with the process pinned to one CPU (the CPU time is shown too: on a shared machine it is the
steadier figure).

Usage (from the repository root)::

    .venv/bin/python benchmarks/process_page.py            # 5 pages x 1,000 events, 5 repeats
    .venv/bin/python benchmarks/process_page.py --quick    # 2 pages, 3 repeats
    .venv/bin/python benchmarks/process_page.py --profile  # plus a cProfile of the fast path
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import sys
from pathlib import Path
from typing import Any

import jsonschema

from _bench import OKTA, best_of, load_average, okta_page_body, pin_to_one_core, table
from eventframework.definitions import load_source
from eventframework.definitions.locations import schemas_dir
from eventframework.definitions.times import parse_event_time
from eventframework.fetch import parse_records
from eventframework.process import process_records
from eventframework.process.bounds import is_valid_ip
from eventframework.process.fused import _ip_accepted
from eventframework.process.page import processor_for
from eventframework.publish import SqsPublisher


class MemoryQueue:
    """An SQS client that keeps every SendMessageBatch request (the in-memory sink)."""

    def __init__(self) -> None:
        self.messages = 0
        self.batches = 0
        self.bytes = 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:  # noqa: N803
        self.batches += 1
        self.messages += len(Entries)
        self.bytes += sum(len(entry["MessageBody"]) for entry in Entries)
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries], "Failed": []}


def fast_page(definition: Any, body: bytes, sink: MemoryQueue) -> int:
    """The product's path: what ProcessPage runs for one page, minus S3 and DynamoDB."""
    _, records = parse_records(definition, body, "bench")
    return fast_records(definition, records, sink)


def fast_records(definition: Any, records: list[Any], sink: MemoryQueue) -> int:
    """The same without parsing the page (the issue's validate+dedup+normalise+serialise+batch)."""
    result = process_records(definition, records, frozenset())
    published = SqsPublisher("bench", sink).publish(result.events, result.bodies)  # type: ignore[arg-type]
    return published.published


class Naive:
    """The baseline: jsonschema per event, stdlib json everywhere, same normalisation."""

    def __init__(self, definition: Any) -> None:
        raw_schema = json.loads(Path(definition.schema_file).read_text(encoding="utf-8"))
        mozdef_schema = json.loads((schemas_dir() / "mozdef-event.schema.json").read_text(encoding="utf-8"))
        checker = jsonschema.Draft7Validator.FORMAT_CHECKER
        self.raw_validator = jsonschema.Draft7Validator(raw_schema, format_checker=checker)
        self.mozdef_validator = jsonschema.Draft7Validator(mozdef_schema, format_checker=checker)
        self.normaliser = processor_for(definition).normaliser
        self.definition = definition

    def page(self, body: bytes, sink: MemoryQueue) -> int:
        records = json.loads(body)
        seen: set[str] = set()
        batch: list[dict[str, str]] = []
        size = published = 0
        for raw in records:
            if raw["uuid"] in seen:
                continue
            seen.add(raw["uuid"])
            self.raw_validator.validate(raw)
            event = self.normaliser.normalise(raw, raw["uuid"], parse_event_time(raw["published"]))
            event["details"]["raw"] = json.dumps(raw)
            self.mozdef_validator.validate(event)
            message = json.dumps(event)
            if len(batch) == 10 or size + len(message) > 262_144:
                sink.send_message_batch("naive", batch)
                batch, size = [], 0
            batch.append({"Id": str(len(batch)), "MessageBody": message})
            size += len(message)
            published += 1
        if batch:
            sink.send_message_batch("naive", batch)
        return published


def cold(pages: list[Any]) -> list[Any]:
    """``pages``, after emptying the IP-address caches: every repeat sees each address for the first
    time, as a pull of distinct addresses does (repeats of the same pages would otherwise hit them)."""
    is_valid_ip.cache_clear()
    _ip_accepted.cache_clear()
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5, help="pages of 1,000 events (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats, best kept (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 pages, 3 repeats")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the fast path")
    args = parser.parse_args(argv)
    pages, repeat = (2, 3) if args.quick else (args.pages, args.repeat)
    print(f"process_page: {pages} x 1,000 Okta events; {pin_to_one_core()}; {load_average()}")
    definition = load_source(OKTA)
    bodies = [okta_page_body(1000, first=1000 * i) for i in range(pages)]
    events = 1000 * pages
    average = sum(len(body) for body in bodies) / events
    naive = Naive(definition)
    fast_page(definition, bodies[0], MemoryQueue())  # compile validators, warm caches
    gc.freeze()  # as the handlers do after a container's init (handlers/_runtime.py)
    parsed = [json.loads(body) for body in bodies]
    runs = {
        "fast": lambda: [fast_page(definition, b, MemoryQueue()) for b in cold(bodies)],
        "fast, page parsed": lambda: [fast_records(definition, r, MemoryQueue()) for r in cold(parsed)],
        "naive": lambda: [naive.page(b, MemoryQueue()) for b in cold(bodies)],
    }
    results = {name: [float("inf"), 0.0] for name in runs}
    for _ in range(repeat):  # alternate, so all see the same machine
        for name, run in runs.items():
            wall, cpu = best_of(1, run)
            if wall < results[name][0]:
                results[name] = [wall, cpu]
    sink = MemoryQueue()
    delivered = sum(fast_page(definition, body, sink) for body in bodies)
    assert delivered == events, f"fast path delivered {delivered} of {events}"
    rows = []
    for name, (wall, cpu) in results.items():
        rows.append([name, events, f"{average:,.0f}", wall, events / wall, events / cpu, 1e6 * wall / events])
    print(table(["path", "events", "bytes/event", "seconds", "events/s", "events/CPU-s", "µs/event"], rows))
    fast_rate, naive_rate = events / results["fast"][0], events / results["naive"][0]
    per_page_ms = 1000 * results["fast"][0] / pages
    print(
        f"fast / naive: {fast_rate / naive_rate:.1f}x;  SQS batches per 1,000 events: "
        f"{1000 * sink.batches / events:.0f};  ms per 1,000-event page: {per_page_ms:.1f}"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [fast_page(definition, b, MemoryQueue()) for b in bodies])
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
