"""Drain the emulated MozDef queue into a JSON-lines file, as MozDef's worker would consume it.

Draining runs in a background thread while the pull executes, so the queue (and memory) stays small
however many events a run moves, and the count it keeps is the live progress of delivery.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import IO, Any

import boto3

RECEIVE_BATCH = 10


class QueueSink:
    """Move every message of an SQS queue into a file, one message body per line."""

    def __init__(self, queue_url: str, path: Path) -> None:
        self.queue_url = queue_url
        self.path = path
        self.delivered = 0
        self._sqs: Any = boto3.client("sqs")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def drain_once(self, out: IO[str]) -> int:
        """Receive and delete one batch; return how many messages it held."""
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=RECEIVE_BATCH, WaitTimeSeconds=0
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        out.writelines(message["Body"] + "\n" for message in messages)
        out.flush()
        self._sqs.delete_message_batch(
            QueueUrl=self.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ],
        )
        self.delivered += len(messages)
        return len(messages)

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
