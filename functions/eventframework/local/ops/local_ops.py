"""The operator commands against the state directory: records, dead letters, engine runs and redrives.

Reads (`executions`, `describe`, `dead_letters`) come straight from the files of the state directory
(no emulator needed). Writes run the real state machines of the template on the local engine inside a
`LocalDeployment`: `reprocess` starts ReprocessStateMachine, `redrive` resumes a failed pull (through
`LocalPull`, which needs the source's API) or a failed reprocess execution at the step that failed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventframework.local.emulator.deployment import ExecutionRecords, LocalDeployment
from eventframework.local.engine import Clock, Engine, Execution, SystemClock
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.ops.views import ExecutionView, FailureView, failure_from_history
from eventframework.local.run.pull import LocalPull, LocalRunOptions, Progress, progress_reporter
from eventframework.local.sandbox import Sandbox
from eventframework.state import DeadLetter, DeadLetterStore

REPROCESS_MACHINE = "ReprocessStateMachine"


@dataclass
class ReprocessReport:
    """One reprocess execution: its status, counts (the state machine's output) and any failure."""

    execution: str
    status: str
    totals: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    cause: str | None = None
    delivered: int = 0
    detail: str | None = None  # a backfill's range, or why it had nothing to do

    @classmethod
    def of(cls, execution: Execution, delivered: int = 0) -> ReprocessReport:
        output = execution.output if isinstance(execution.output, dict) else {}
        return cls(
            execution.arn,
            execution.status,
            {key: int(value) for key, value in output.items() if isinstance(value, int)},
            execution.error,
            execution.cause,
            delivered,
        )


def reprocess_input(source: str | None, *, dry_run: bool, max_events: int | None) -> dict[str, Any]:
    run_input: dict[str, Any] = {"dry_run": dry_run}
    if source:
        run_input["source"] = source
    if max_events:
        run_input["max_events"] = max_events
    return run_input


class LocalOps:
    """Operator commands on one state directory (the same one `efw run` uses)."""

    def __init__(
        self,
        state_dir: Path = Path(".efw"),
        template: Path = Path("template.yaml"),
        *,
        out_dir: Path = Path("efw-out"),
        clock: Clock | None = None,
        sandbox: Sandbox | None = None,
        lambdas: Mapping[str, LambdaHandler] | None = None,
    ) -> None:
        """`sandbox` and `lambdas` are for tests: the source API of a pull redrive, wrapped handlers."""
        self.state_dir = state_dir
        self.template = template
        self.out_dir = out_dir
        self.clock = clock or SystemClock()
        self.sandbox = sandbox
        self.lambdas = dict(lambdas or {})
        self.records = ExecutionRecords(state_dir)

    def executions(self) -> list[ExecutionView]:
        if not self.records.directory.exists():
            return []
        return [ExecutionView.from_describe(record) for record in self.records.all()]

    def describe(self, arn: str) -> tuple[ExecutionView, FailureView | None]:
        record = self.records.load(arn).to_dict()
        view = ExecutionView.from_describe(record)
        if view.status in {"SUCCEEDED", "RUNNING"}:
            return view, None
        return view, failure_from_history(record["history"], record.get("error"), record.get("cause"))

    def dead_letters(self, source: str) -> list[DeadLetter]:
        path = self.state_dir / "tables" / "DeadLetterTable.jsonl"
        if not path.exists():
            return []
        items = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
        return [DeadLetterStore.from_item(item) for item in items if item["source"]["S"] == source]

    def _out_path(self, source: str | None) -> Path:
        return self.out_dir / f"{source or 'reprocess'}.jsonl"

    def reprocess(
        self,
        source: str | None,
        *,
        dry_run: bool = False,
        max_events: int | None = None,
        progress: Progress | None = None,
    ) -> ReprocessReport:
        """One reprocess execution; `progress(delivered, seconds)` about once a second while it runs."""
        run_input = reprocess_input(source, dry_run=dry_run, max_events=max_events)
        return self.reprocess_concurrently([run_input], out=self._out_path(source), progress=progress)[0]

    def reprocess_concurrently(
        self,
        inputs: Sequence[Mapping[str, Any]],
        *,
        out: Path | None = None,
        progress: Progress | None = None,
    ) -> list[ReprocessReport]:
        """Start one reprocess execution per input, each on its own engine and thread, at once."""
        source = inputs[0].get("source") if inputs else None

        def start_all(engines: list[Engine], machine: str) -> list[Execution]:
            def starter(engine: Engine, run_input: Mapping[str, Any]) -> Callable[[], Execution]:
                return lambda: engine.start(machine, dict(run_input))

            return _run_threads([starter(e, i) for e, i in zip(engines, inputs, strict=True)])

        path = out or self._out_path(source if isinstance(source, str) else None)
        return self._in_deployment(path, start_all, count=len(inputs), progress=progress)

    def redrive(self, arn: str) -> ReprocessReport:
        """RedriveExecution of a failed pull or reprocess execution recorded in the state directory."""
        record = self.records.load(arn)
        view = ExecutionView.from_describe(record.to_dict())
        if view.kind == "pull":
            return self._redrive_pull(view)

        def resume(engines: list[Engine], machine: str) -> list[Execution]:
            engines[0].add_execution(record)
            return [engines[0].redrive(arn)]

        return self._in_deployment(self._out_path(view.source), resume, count=1)[0]

    def _redrive_pull(self, view: ExecutionView) -> ReprocessReport:
        options = LocalRunOptions(
            source=view.source or "",
            template=self.template,
            state_dir=self.state_dir,
            out=self._out_path(view.source),
            redrive=view.arn,
        )
        summary = LocalPull(options, self.clock, sandbox=self.sandbox, lambdas=self.lambdas).run()
        report = ReprocessReport(view.arn, summary.status, dict(summary.totals), summary.error, summary.cause)
        report.delivered = summary.delivered
        return report

    def _in_deployment(
        self,
        out: Path,
        work: Callable[[list[Engine], str], list[Execution]],
        *,
        count: int,
        progress: Progress | None = None,
    ) -> list[ReprocessReport]:
        with ExitStack() as stack:
            deployment = stack.enter_context(LocalDeployment(self.template, self.state_dir, delivered_to=out))
            engines = [deployment.engine(self.clock) for _ in range(count)]
            machine = ""
            for engine in engines:
                machine = deployment.register(engine, REPROCESS_MACHINE, self.lambdas).arn
            with progress_reporter(deployment, progress):
                finished = work(engines, machine)
            delivered = deployment.delivered
            deployment.save([execution for engine in engines for execution in engine.executions])
        reports = [ReprocessReport.of(execution) for execution in finished]
        for report in reports:
            report.delivered = delivered
        return reports


def _run_threads(calls: Sequence[Callable[[], Execution]]) -> list[Execution]:
    """Run each call on its own thread at the same time; re-raise the first error after all ended."""
    results: list[Execution | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            results[index] = calls[index]()
        except BaseException as error:  # re-raised below, after every thread has ended
            errors.append(error)

    threads = [
        threading.Thread(target=target, args=(index,), name=f"reprocess-{index}")
        for index in range(len(calls))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [result for result in results if result is not None]
