"""The template deployed on the laptop: an embedded emulator whose stores come from a state directory.

Every local workflow (`efw run`, `efw serve`, `efw reprocess`, `efw redrive`, the operator commands)
needs the same setup: lock the state directory, start the moto server, create the template's
tables in it, load the durable state (`<state-dir>/tables/*.jsonl`, replaying the journal of a run
that did not end cleanly), export the functions' environment, answer for the MozDef queue with a
file and for the page bucket with a directory (`<state-dir>/pages/`), journal every durable write,
build an engine that commits the journal at every state it leaves, and at the end fold the journal
into the table snapshots, drop the raw pages no redrive can need and save the execution records
(`<state-dir>/executions/<name>.json`). This class owns it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3

from eventframework.errors import EventFrameworkError
from eventframework.handlers import cold_start, use_clients
from eventframework.local.emulator.environment import patched_environment
from eventframework.local.emulator.journal import Recovery, WriteJournal, recover
from eventframework.local.emulator.local_bucket import LocalBucket
from eventframework.local.emulator.local_queue import LocalQueue
from eventframework.local.emulator.process import EmulatorProcess
from eventframework.local.emulator.provision import Provisioner
from eventframework.local.emulator.snapshot import load_table, save_tables, settle_tables
from eventframework.local.emulator.state_lock import StateDirectoryLock
from eventframework.local.engine import Clock, Engine, Execution
from eventframework.local.engine.engine import StateMachine
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.engine.service_tasks import AwsConfig
from eventframework.local.template.cfn import load_template
from eventframework.state.aws import container_session
from eventframework.state.pages import PAGES_PREFIX

STACK_NAME = "efw-local"


class UnknownExecutionError(EventFrameworkError):
    """No record of the execution in the state directory; `arn` is what was asked for."""

    def __init__(self, arn: str, directory: Path) -> None:
        self.arn = arn
        self.directory = directory
        super().__init__(f"no record of execution {arn} in {directory}; list them with `efw executions list`")


class ExecutionRecords:
    """The execution records of a state directory (one JSON file per execution, Execution.to_dict())."""

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "executions"
        self._spooled: set[str] = set()

    def path(self, arn: str) -> Path:
        return self.directory / f"{arn.rsplit(':', 1)[-1]}.json"

    def load(self, arn: str) -> Execution:
        path = self.path(arn)
        if not path.exists():
            raise UnknownExecutionError(arn, self.directory)
        return Execution.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def save(self, executions: list[Execution]) -> None:
        """Write each record, except those `spool` already wrote in full (their history is gone)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for execution in executions:
            if execution.arn in self._spooled:
                continue
            self.path(execution.arn).write_text(
                json.dumps(execution.to_dict(), default=str), encoding="utf-8"
            )

    def spool(self, execution: Execution) -> None:
        """Write a SUCCEEDED execution's record now and drop its history from memory.

        The engine's `on_finished` hook: a long local run continues in a fresh execution every
        `max_pages_per_execution` pages, and each finished one would otherwise keep its whole
        history (about 20 events a page) in the engine until the run ends. A succeeded execution
        never changes again (only a failed one can be redriven), so its record on disk is final;
        status, output and counts stay in memory for the run's summary.
        """
        if execution.status != "SUCCEEDED":
            return
        self.save([execution])
        self._spooled.add(execution.arn)
        execution.events = []

    def all(self) -> Iterator[dict[str, Any]]:
        """Every record as stored (DescribeExecution-shaped dicts plus history), oldest first."""
        records = [
            json.loads(path.read_text(encoding="utf-8")) for path in sorted(self.directory.glob("*.json"))
        ]
        yield from sorted(records, key=lambda record: str(record.get("startDate")))

    def status(self, name: str) -> str | None:
        path = self.directory / f"{name}.json"
        if not path.exists():
            return None
        status: str | None = json.loads(path.read_text(encoding="utf-8")).get("status")
        return status


class LocalClients:
    """The handlers' clients in a local deployment: the emulator's, the MozDef queue a file and the
    page bucket a directory."""

    def __init__(self, session: Any, queue: LocalQueue, bucket: LocalBucket) -> None:
        self._session = session
        self._local: dict[str, Any] = {"sqs": queue, "s3": bucket}

    def client(self, service_name: str) -> Any:
        local = self._local.get(service_name)
        return local if local is not None else self._session.client(service_name)


class StepsInFlight:
    """Commits a deployment's writes when no state of one engine is in flight.

    A commit is a consistent cut only between steps: taken while one is half done (ProcessPage in one
    branch of the pull's Parallel state while its sibling fetches) it would keep events in the
    queue's file without their ledger entries, and a crash then would deliver them twice. So the
    commit waits for the engine's last state in flight to end, and a state of that engine entered
    meanwhile waits for the commit. Each engine has its own: engines that run side by side (several
    reprocess executions) are rarely all between states at once, and waiting for that would leave
    their writes uncommitted until one ended; their steps are committed as they stand, as before."""

    def __init__(self, commit: Callable[[], None]) -> None:
        self._commit = commit
        self._count = 0
        self._lock = threading.Lock()

    def entered(self) -> None:
        with self._lock:
            self._count += 1

    def exited(self) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0:
                self._commit()

    def settled(self) -> None:
        """An execution ended: commit, unless a state of this engine is still in flight."""
        with self._lock:
            if self._count == 0:
                self._commit()


class LocalDeployment:
    """Enter to get a running emulator with the template's stores loaded; call `save()` before leaving.

    `delivered_to` is the file that stands in for the MozDef queue (see local_queue.py).
    """

    s3: LocalBucket  # the page bucket, once entered

    def __init__(self, template: Path, state_dir: Path, delivered_to: Path) -> None:
        self.template_path = template
        self.template = load_template(template)
        self.state_dir = state_dir
        self.delivered_to = delivered_to
        self.records = ExecutionRecords(state_dir)
        self._stack = ExitStack()
        self.emulator: EmulatorProcess | None = None
        self.provisioner: Provisioner | None = None
        self.environment: dict[str, str] = {}
        self.recovery = Recovery()
        self.queue: LocalQueue | None = None  # made once the template's queue URL is known
        self.journal: WriteJournal | None = None
        self._journaled: dict[str, Any] = {}

    def __enter__(self) -> LocalDeployment:
        try:
            return self._enter()
        except BaseException:
            self._stack.close()
            raise

    def _enter(self) -> LocalDeployment:
        stack = self._stack
        stack.enter_context(StateDirectoryLock(self.state_dir))
        emulator = stack.enter_context(EmulatorProcess())
        self.emulator = emulator
        stack.enter_context(patched_environment(emulator.environment()))
        # Tables in the emulator; the MozDef queue is a file (LocalQueue), the page bucket a
        # directory (LocalBucket), both named by the provisioner as AWS would name them.
        provisioner = Provisioner(self.template, region=emulator.region, stack_name=STACK_NAME)
        provisioner.provision()
        self.provisioner = provisioner
        settle_tables(self.tables_dir)
        for name, path in self._table_files().values():
            load_table(self.dynamodb, name, path)
        self.environment = provisioner.function_environment()
        bucket = self.s3 = LocalBucket(self.environment["EFW_PAGE_BUCKET"], self.pages_dir).start()
        stack.callback(bucket.stop)
        clients = {"dynamodb": self.dynamodb, "s3": bucket}
        self.recovery = recover(self.tables_dir, clients.__getitem__)
        stack.enter_context(patched_environment(self.environment))
        # From here every new client of the shared session is journaled (clients copy the session's
        # hooks when they are made; the loaders above are not, and must not be).
        session = container_session()
        queue = self.queue = LocalQueue(self.environment["EFW_QUEUE_URL"], self.delivered_to).start()
        stack.callback(queue.stop)
        self.journal = WriteJournal(self.tables_dir, session.events, queue).start()
        stack.callback(self._stop_journal)
        use_clients(LocalClients(session, queue, bucket))
        stack.callback(use_clients, None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()

    @property
    def pages_dir(self) -> Path:
        return self.state_dir / "pages"

    @property
    def tables_dir(self) -> Path:
        return self.state_dir / "tables"

    @property
    def delivered(self) -> int:
        """Events delivered to the MozDef queue's file by this deployment so far."""
        return self.queue.delivered if self.queue is not None else 0

    def journaled(self, service: str) -> Any:
        """A client whose writes are journaled like the handlers' (made after the journal started)."""
        client = self._journaled.get(service)
        if client is None:
            make_client: Any = container_session().client  # boto3's overloads want a literal name
            client = self._journaled[service] = make_client(service)
        return client

    def commit(self) -> None:
        """Make every write so far durable (the engines' steps call it through StepsInFlight)."""
        if self.journal is not None:
            self._then_deletions(self.journal.commit)

    def _stop_journal(self) -> None:
        if self.journal is not None:
            self._then_deletions(self.journal.stop)

    def _then_deletions(self, commit_journal: Callable[[], None]) -> None:
        """Commit the journal, then carry out the dead-letter body deletions made before it: their
        items' deletions are in that commit. Taken first, so a deletion made meanwhile (another
        engine of this deployment) waits for the commit that covers its item; none if it failed."""
        deletions = self.s3.pending_deletions()
        commit_journal()
        self.s3.delete_pending(deletions)

    @functools.cached_property
    def dynamodb(self) -> Any:
        """Built once, on first use inside the deployment (it needs the emulator's environment)."""
        return boto3.client("dynamodb")

    def _table_files(self) -> dict[str, tuple[str, Path]]:
        assert self.provisioner is not None, "enter the deployment first"
        return {
            logical: (name, self.tables_dir / f"{logical}.jsonl")
            for logical, name in self.provisioner.tables_by_logical_id().items()
        }

    def engine(self, clock: Clock) -> Engine:
        """A fresh engine on this emulator; handlers start cold, as a new Lambda container would."""
        assert self.emulator is not None, "enter the deployment first"
        cold_start()
        engine = Engine(
            clock=clock, aws=AwsConfig(endpoint_url=self.emulator.endpoint_url, region=self.emulator.region)
        )
        steps = StepsInFlight(self.commit)
        engine.on_state_entered.append(steps.entered)
        engine.on_state_exited.append(steps.exited)
        engine.on_finished.append(lambda _execution: steps.settled())
        return engine

    def register(
        self, engine: Engine, logical_id: str, lambdas: Mapping[str, LambdaHandler] | None = None
    ) -> StateMachine:
        assert self.provisioner is not None, "enter the deployment first"
        return engine.register_from_template(
            self.template_path, logical_id, resolver=self.provisioner.lookup, lambdas=dict(lambdas or {})
        )

    def save(self, executions: list[Execution]) -> None:
        """Fold the journal into the table snapshots, save the execution records and drop the raw
        pages no redrive can read again (a dead letter's body is not a page: it stays)."""
        self._stop_journal()
        tables = {name: path for name, path in self._table_files().values()}
        self.records.save(executions)
        for key in list(self.s3.keys(PAGES_PREFIX)):
            if not self._page_still_needed(key):
                self.s3.delete_object(Bucket=self.s3.bucket, Key=key)
        save_tables(self.dynamodb, tables, self.tables_dir)

    def _page_still_needed(self, key: str) -> bool:
        """A redrive reads a failed execution's raw pages (`pages/<source>/<execution>/...`) again."""
        parts = key.split("/")
        status = self.records.status(parts[2]) if len(parts) > 3 else None
        return status is not None and status != "SUCCEEDED"


def counted(executions: list[Execution], keys: tuple[str, ...]) -> dict[str, int]:
    """Add up the integer counts each execution outputs (a capped run's continuations included)."""
    totals = dict.fromkeys(keys, 0)
    for execution in executions:
        output = execution.output if isinstance(execution.output, dict) else {}
        for key in keys:
            value = output.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                totals[key] += int(value)
    return totals
