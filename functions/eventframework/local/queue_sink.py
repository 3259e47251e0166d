"""Drain the emulated MozDef queue into a JSON-lines file, standing in for MozDef's worker.

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
from pathlib import Path
from typing import IO

from moto.sqs.models import sqs_backends

from eventframework.local.emulator.provision import ACCOUNT_ID


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
