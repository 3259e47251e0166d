"""Where a local run's MozDef events go: the emulated queue drained to a file, or a file directly.

QueueSink (the default, `efw run --sink queue`) drains the emulated MozDef queue into a JSON-lines
file, standing in for MozDef's worker. FileSink (`--sink file`) replaces the queue itself: the
ProcessPage handler runs unchanged, but its publisher's SendMessageBatch calls append the bodies to
the file, so a run measures the pipeline without the emulator's SQS in the way (benchmarks/).

Draining runs in a background thread while the pull executes, so the queue (and memory) stays small
however many events a run moves, and the count it keeps is the live progress of delivery.

The producers (the handlers) reach the queue over HTTP exactly as in AWS. The consumer here is not
product code: it plays MozDef, and it takes messages straight out of the embedded moto server's
memory. moto's ReceiveMessage deep-copies every message it returns and its SendMessage scans the
whole queue, so an HTTP consumer costs ~60 ms a message and lets the queue (and every send) grow;
taking them in-process keeps the queue near empty and the run's throughput the pipeline's own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Any
from unittest import mock

from moto.sqs.models import sqs_backends

from eventframework.handlers import _runtime, process_page
from eventframework.local.emulator.provision import ACCOUNT_ID
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.publish import SqsPublisher


def take_all_messages(queue_url: str, region: str) -> list[str]:
    """Remove every message from an emulated queue and return their bodies, oldest first."""
    queue = sqs_backends[ACCOUNT_ID][region].get_queue(queue_url.rsplit("/", 1)[-1])
    with queue._messages_lock:
        taken, queue._messages = queue._messages, []
    return [message.body for message in taken]


class QueueSink:
    """Move every message of an SQS queue into a file, one message body per line."""

    def __init__(self, queue_url: str, path: Path, region: str) -> None:
        self.queue_url = queue_url
        self.path = path
        self.region = region
        self.delivered = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def drain_once(self, out: IO[str]) -> int:
        """Move every message now in the queue to the file; return how many there were."""
        bodies = take_all_messages(self.queue_url, self.region)
        if bodies:
            out.writelines(body + "\n" for body in bodies)
            out.flush()
            self.delivered += len(bodies)
        return len(bodies)

    def _run(self) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            while not self._stop.is_set():
                if self.drain_once(out) == 0:
                    self._stop.wait(0.05)
            while self.drain_once(out):
                pass

    def start(self) -> QueueSink:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="queue-sink", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> int:
        """Finish draining what is left and return the total count delivered to the file."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.delivered


PROCESS_PAGE_FUNCTION = "ProcessPageFunction"  # template.yaml's logical id
DEFAULT_REGION = "us-east-1"  # the embedded emulator's


FILE_BUFFER_BYTES = 1 << 20


class FileSink:
    """An SQS stand-in for the MozDef queue: every SendMessageBatch entry becomes a line of a file.

    It answers like SQS (all entries successful), so the real publisher's batching, size checks and
    result handling all run; only the network call is gone.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.delivered = 0
        self._out: IO[str] | None = None

    def start(self) -> FileSink:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A page is ~2.6 MB of bodies in 100 batches; a 1 MB buffer writes it in a few system calls
        # instead of ~300 (the default 8 KB), about half the sink's time per page.
        self._out = self.path.open("a", encoding="utf-8", buffering=FILE_BUFFER_BYTES)
        return self

    def stop(self) -> int:
        if self._out is not None:
            self._out.close()
            self._out = None
        return self.delivered

    def send_message_batch(self, QueueUrl: str, Entries: list[Mapping[str, Any]]) -> dict[str, Any]:  # noqa: N803
        if self._out is None:
            raise RuntimeError("FileSink.start() was not called")
        self._out.writelines(str(entry["MessageBody"]) + "\n" for entry in Entries)
        self.delivered += len(Entries)
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries], "Failed": []}

    @contextmanager
    def _publishing_here(self) -> Iterator[None]:
        services = _runtime.services()
        publisher = SqsPublisher(services.settings.queue_url, self)  # type: ignore[arg-type]
        with mock.patch.object(process_page, "services", lambda: replace(services, publisher=publisher)):
            yield

    def bindings(self, region: str = DEFAULT_REGION) -> dict[str, LambdaHandler]:
        """The engine's Lambda override (function ARN -> handler) that routes ProcessPage here."""
        arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{PROCESS_PAGE_FUNCTION}"
        return {arn: self.handler()}

    def handler(self) -> LambdaHandler:
        """The real ProcessPage handler, publishing into this file instead of the queue."""

        def process_into_file(event: Any, context: Any) -> Any:
            with self._publishing_here():
                return process_page.lambda_handler(event, context)

        return process_into_file
