"""`efw run`: one scheduled pull of a source, end to end, on the laptop.

It assembles the embedded defaults — the moto server, the sandbox SaaS API, the template's stores
created in the emulator and restored from the state directory — then runs the real pull state
machine from `template.yaml` on the local engine with the real handlers in-process, delivering what
reaches the MozDef queue into a JSON-lines file, and keeps the durable state on disk step by step
(see emulator/deployment.py), so the next run resumes from the checkpoint as the next scheduled run in
AWS would, even after this one was killed.

Outcomes are told as they are: a run that finds the source's lease held by another execution is
SKIPPED (who holds it, since and until when), one stopped by a signal is ABORTED at a state boundary,
with its lease released so the next run resumes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from eventframework.definitions import load_source
from eventframework.definitions.times import parse_event_time
from eventframework.errors import EventFrameworkError
from eventframework.fetch.urls import origin
from eventframework.local.emulator.deployment import LocalDeployment, counted
from eventframework.local.emulator.journal import Recovery
from eventframework.local.engine import Clock, Engine, Execution, SystemClock
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.run.abandoned import release_abandoned_leases
from eventframework.local.run.heap import start_up_heap_frozen
from eventframework.local.run.page_pruning import SpentPagePruner
from eventframework.local.run.sandbox_process import SandboxHandle, SandboxProcess
from eventframework.local.template.cfn import require_template
from eventframework.pipeline.backfill import BackfillRange, clip
from eventframework.state import CheckpointStore, DeadLetterStore
from eventframework.state.checkpoint import CHECKPOINT_SK

STATE_MACHINE = "PullStateMachine"
DEFAULT_SECRET_PREFIX = "efw/"
SANDBOX_TOKEN_BYTES = 24


class LocalRunError(EventFrameworkError):
    """A local run could not be set up (missing token variable, unknown source, ...)."""


@dataclass(frozen=True)
class LocalRunOptions:
    """What `efw run` was asked to do; every default is the embedded one."""

    source: str
    template: Path = Path("template.yaml")
    state_dir: Path = Path(".efw")
    out: Path | None = None
    base_url: str | None = None
    token_env: str | None = None
    sandbox_events: int = 5000
    sandbox_new_events: int = 100
    seed: int = 7
    redrive: str | None = None  # ARN of a FAILED execution to resume instead of starting a new one
    backfill: BackfillRange | None = None  # fill this past range beside the live pull (efw backfill)

    @property
    def out_path(self) -> Path:
        return self.out or Path("efw-out") / f"{self.source}.jsonl"


@dataclass
class RunSummary:
    """What one local run did, read from the executions' outputs and the stores."""

    source: str
    status: str
    executions: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    delivered: int = 0
    dead_letters_total: int = 0
    checkpoint: str | None = None
    seconds: float = 0.0
    error: str | None = None
    cause: str | None = None
    failed_execution: str | None = None
    out: str = ""
    lease: dict[str, Any] | None = None  # the lease that made the run SKIPPED: owner, taken_at, expires_at
    notices: list[str] = field(default_factory=list)
    backfill: dict[str, str] | None = None  # a backfill's range as clipped: since, until, key
    reached: str | None = None  # a backfill's newest delivered event time
    nothing_to_do: str | None = None  # why a backfill had nothing left to fill


Progress = Callable[[int, float], None]


TOTAL_KEYS = ("pages", "fetched", "published", "dead_lettered", "duplicates")


def _execution_totals(executions: list[Execution]) -> dict[str, int]:
    """Add up the counts each pull execution outputs (a capped run's continuations included)."""
    return counted(executions, TOTAL_KEYS)


class LocalPull:
    """One local pull: set up the embedded defaults, run, save state, summarise."""

    def __init__(
        self,
        options: LocalRunOptions,
        clock: Clock | None = None,
        *,
        sandbox: SandboxHandle | None = None,
        lambdas: Mapping[str, LambdaHandler] | None = None,
    ) -> None:
        """`sandbox` and `lambdas` let a caller own the sandbox (to inject faults, or keep one event
        set across runs) and wrap handlers (to crash a run between steps); both default to none."""
        self.options = options
        self.clock = clock or SystemClock()
        require_template(options.template)
        if options.redrive is None:
            load_source(options.source)  # an unknown id is refused here, naming the closest ids
        self.engine: Engine | None = None
        self.pruner: SpentPagePruner | None = None
        self.sandbox = sandbox
        self._lambdas = dict(lambdas or {})
        self.reached = ReachedTime()

    def _connection_settings(self, spawned: SandboxProcess | None) -> dict[str, str]:
        """The source's secret: the sandbox by default (`spawned` by `_spawn_sandbox`, opened here), the
        caller's sandbox, or a live API with a token from the env."""
        if self.options.base_url:
            variable = self.options.token_env
            token = os.environ.get(variable or "")
            if not variable or not token:
                raise LocalRunError(
                    f"--base-url needs the API token in an environment variable: set it and pass its "
                    f"name with --token-env (got {variable or 'no --token-env'})"
                )
            return {"base_url": self.options.base_url, "token": token}
        if spawned is not None:
            token = os.environ.get("EFW_SANDBOX_TOKEN") or os.urandom(SANDBOX_TOKEN_BYTES).hex()
            self.sandbox = spawned.open(
                self.options.state_dir,
                self.options.source,
                events=self.options.sandbox_events,
                new_events=self.options.sandbox_new_events,
                seed=self.options.seed,
                token=token,
            )
        assert self.sandbox is not None, "spawned by _spawn_sandbox unless the caller gave one"
        return self.sandbox.credentials(self.options.source)

    def _spawn_sandbox(self, stack: ExitStack) -> SandboxProcess | None:
        """The default sandbox's process (none if the caller gave a sandbox or a live API), started
        before the deployment so that its imports overlap it. It is opened only once the deployment
        holds the state directory: opening writes the directory's sandbox state."""
        if self.options.base_url or self.sandbox is not None:
            return None
        process = SandboxProcess()
        stack.callback(process.stop)
        return process

    def run(self, progress: Progress | None = None) -> RunSummary:
        started = time.monotonic()
        with ExitStack() as stack:
            spawned = self._spawn_sandbox(stack)
            deployment = stack.enter_context(
                LocalDeployment(
                    self.options.template, self.options.state_dir, delivered_to=self.options.out_path
                )
            )
            environment = deployment.environment
            settings = self._connection_settings(spawned)
            prefix = environment.get("EFW_SECRET_PREFIX", DEFAULT_SECRET_PREFIX)
            boto3.client("secretsmanager").create_secret(
                Name=f"{prefix}{self.options.source}", SecretString=json.dumps(settings)
            )
            self._refuse_a_foreign_checkpoint(deployment, settings["base_url"])
            self._refuse_an_unfillable_range(deployment)
            statuses: dict[str, str] = {}
            notices = _recovery_notices(deployment.recovery)
            notices += self._release_abandoned(environment, deployment, statuses)
            with progress_reporter(deployment, progress), start_up_heap_frozen():
                executions = self._execute(deployment)
            statuses.update({execution.name: execution.status for execution in executions})
            self._release_abandoned(environment, deployment, statuses)  # a stopped run's own lease
            delivered = deployment.delivered
            deployment.save(executions)
            summary = self._summarise(executions, delivered, deployment.dynamodb, environment)
        summary.notices = notices
        summary.seconds = time.monotonic() - started
        return summary

    def _refuse_a_foreign_checkpoint(self, deployment: LocalDeployment, base_url: str) -> None:
        """A state directory filled against one API (the sandbox, or a --base-url) holds a next link
        to that host; pulled against another, the run would only fail on a foreign host."""
        cursor = self._cursor(deployment.dynamodb, deployment.environment) or ""
        if cursor.startswith(("http://", "https://")) and origin(cursor) != origin(base_url):
            raise LocalRunError(
                f"the checkpoint of {self.options.source} in {self.options.state_dir} is a position at "
                f"{origin(cursor)}, not at {origin(base_url)} that this run pulls (the sandbox and a "
                "--base-url each need their own state): pass another --state-dir, or delete "
                f"{self.options.state_dir} to start over"
            )

    def _refuse_an_unfillable_range(self, deployment: LocalDeployment) -> None:
        """Before anything runs, the refusal BeginRun would give (no live pull yet): a message, not a
        FAILED execution."""
        if self.options.backfill is not None:
            live = _checkpoints(deployment.dynamodb, deployment.environment).read(self.options.source)
            clip(load_source(self.options.source), self.options.backfill, live)

    def _cursor(self, dynamodb: Any, environment: Mapping[str, str], sk: str = CHECKPOINT_SK) -> str | None:
        """The source's saved cursor (or a backfill's), read through the production checkpoint store."""
        checkpoint = _checkpoints(dynamodb, environment).read(self.options.source, sk)
        return checkpoint.cursor if checkpoint else None

    def stop(self, error: str, cause: str) -> None:
        """Stop the run at the next state boundary (signal-safe: it only sets flags)."""
        if self.engine is not None:
            self.engine.stop(error, cause)

    @staticmethod
    def _release_abandoned(
        environment: Mapping[str, str], deployment: LocalDeployment, statuses: Mapping[str, str]
    ) -> list[str]:
        def status_of(name: str) -> str | None:
            return statuses[name] if name in statuses else deployment.records.status(name)

        # Through a journaled client: the release is as durable as any write of the run.
        released = release_abandoned_leases(
            deployment.journaled("dynamodb"), environment["EFW_STATE_TABLE"], status_of
        )
        return [lease.describe() for lease in released]

    def _execute(self, deployment: LocalDeployment) -> list[Execution]:
        engine = deployment.engine(self.clock)
        self.engine = engine
        machine = deployment.register(engine, STATE_MACHINE, self._lambdas)
        self.pruner = SpentPagePruner(deployment.s3)
        self.pruner.install(machine.lambdas, engine)
        self.reached.install(machine.lambdas)
        engine.on_finished.append(deployment.records.spool)  # finished records to disk, not memory
        if self.options.redrive:
            engine.add_execution(deployment.records.load(self.options.redrive))
            engine.redrive(self.options.redrive)
        else:
            run_input: dict[str, Any] = {"source": self.options.source}
            if self.options.backfill is not None:
                requested = self.options.backfill
                run_input["backfill"] = requested.to_input()
            engine.start(machine.arn, run_input)
        return engine.executions

    def _summarise(
        self, executions: list[Execution], delivered: int, dynamodb: Any, environment: dict[str, str]
    ) -> RunSummary:
        failed = next((execution for execution in executions if execution.status != "SUCCEEDED"), None)
        lease = _held_lease(executions)
        summary = RunSummary(
            source=self.options.source,
            status=failed.status if failed else "SKIPPED" if lease else "SUCCEEDED",
            lease=lease,
            executions=[execution.arn for execution in executions],
            totals=_execution_totals(executions),
            delivered=delivered,
            out=str(self.options.out_path),
        )
        if failed is not None:
            summary.error, summary.cause, summary.failed_execution = failed.error, failed.cause, failed.arn
        summary.backfill, summary.nothing_to_do = _backfill_outcome(executions)
        summary.reached = self.reached.newest
        key = summary.backfill["key"] if summary.backfill else CHECKPOINT_SK
        summary.checkpoint = self._cursor(dynamodb, environment, key)
        summary.dead_letters_total = DeadLetterStore(environment["EFW_DEADLETTER_TABLE"], dynamodb).count(
            self.options.source
        )
        return summary


def _checkpoints(dynamodb: Any, environment: Mapping[str, str]) -> CheckpointStore:
    return CheckpointStore(environment["EFW_STATE_TABLE"], dynamodb)


def _backfill_outcome(executions: list[Execution]) -> tuple[dict[str, str] | None, str | None]:
    """A backfill's range as BeginRun clipped it, and why it had nothing to do (if so)."""
    for execution in executions:
        output = execution.output
        if isinstance(output, dict) and isinstance(output.get("backfill"), dict):
            return dict(output["backfill"]), output.get("nothing_to_do")
    return None, None


def _held_lease(executions: list[Execution]) -> dict[str, Any] | None:
    """The lease a run found held (BeginRun's `acquired: false` output), if that is how it ended."""
    for execution in executions:
        output = execution.output
        if (
            isinstance(output, dict)
            and output.get("acquired") is False
            and isinstance(output.get("lease"), dict)
        ):
            return dict(output["lease"])
    return None


def _recovery_notices(recovery: Recovery) -> list[str]:
    if not recovery.interrupted:
        return []
    undone = f"{recovery.dropped} write(s)"
    if recovery.truncated_bytes:
        undone += f" and {recovery.truncated_bytes} bytes of delivered events"
    return [
        "the previous run ended in the middle of a step (killed?): its completed steps were kept and "
        f"the unfinished one undone ({undone}); this run resumes from its last checkpoint"
    ]


class ReachedTime:
    """The newest event time ProcessPage delivered, read from its output as the run goes: how far a
    backfill has come through its range."""

    FUNCTION = ":function:ProcessPageFunction"

    def __init__(self) -> None:
        self.newest: str | None = None

    def install(self, lambdas: dict[str, LambdaHandler]) -> None:
        for arn, handler in list(lambdas.items()):
            if arn.endswith(self.FUNCTION):
                lambdas[arn] = self._watching(handler)

    def _watching(self, handler: LambdaHandler) -> LambdaHandler:
        def watched(event: Any, context: Any) -> Any:
            result = handler(event, context)
            newest = result.get("newest_event_time") if isinstance(result, dict) else None
            if isinstance(newest, str) and (self.newest is None or _later(newest, self.newest)):
                self.newest = newest
            return result

        return watched


def _later(first: str, second: str) -> bool:
    return parse_event_time(first) > parse_event_time(second)


@contextmanager
def progress_reporter(
    deployment: LocalDeployment, progress: Progress | None, interval: float = 1.0
) -> Iterator[None]:
    """Call `progress(delivered, seconds)` about once a second while the block runs."""
    import threading

    if progress is None:
        yield
        return
    stop = threading.Event()
    started = time.monotonic()

    def report() -> None:
        while not stop.wait(interval):
            progress(deployment.delivered, time.monotonic() - started)

    thread = threading.Thread(target=report, name="progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
