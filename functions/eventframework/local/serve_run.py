"""`efw serve`: the webhook API on the laptop, against the embedded emulator.

It creates the template's stores in an embedded moto server (restored from the state directory),
points the webhook handler at them through the template's function environment, serves
`POST|GET /webhooks/{source}` on loopback, and drains the MozDef queue into a JSON-lines file as
MozDef would. On exit the tables (delivery records, dead letters) are saved back, so a redelivery
after a restart is still recognised as a duplicate.

Secrets come from `EFW_SECRET_<ID>` environment variables (eventframework.fetch.credentials), e.g.
`EFW_SECRET_GITHUB_WEBHOOK='{"webhook_secret": "..."}'`; they are never command-line arguments.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from eventframework.handlers import cold_start
from eventframework.local.cfn import load_template
from eventframework.local.emulator import EmulatorServer
from eventframework.local.emulator.provision import Provisioner
from eventframework.local.emulator.server import patched_environment
from eventframework.local.emulator.snapshot import load_table, save_table
from eventframework.local.lifecycle import Service
from eventframework.local.queue_sink import QueueSink
from eventframework.local.webhook_server import WebhookServer

STACK_NAME = "efw-local"


@dataclass(frozen=True)
class ServeOptions:
    template: Path = Path("template.yaml")
    state_dir: Path = Path(".efw")
    out: Path = Path("efw-out") / "webhooks.jsonl"
    host: str = "127.0.0.1"
    port: int = 8080


class LocalWebhookStack(Service):
    """Emulator, stores, queue drain and the loopback webhook server, started and stopped together."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.server: WebhookServer | None = None
        self.sink: QueueSink | None = None
        self._stack = ExitStack()
        self._tables: dict[str, Path] = {}
        self._dynamodb: Any = None

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the webhook stack is not running; use it as a context manager")
        return self.server.url

    @property
    def delivered(self) -> int:
        return self.sink.delivered if self.sink is not None else 0

    def start(self) -> LocalWebhookStack:
        emulator = self._stack.enter_context(EmulatorServer())
        self._stack.enter_context(patched_environment(emulator.environment()))
        provisioner = Provisioner(
            load_template(self.options.template), region=emulator.region, stack_name=STACK_NAME
        )
        provisioner.provision()
        self._dynamodb = boto3.client("dynamodb")
        for logical, name in provisioner.tables_by_logical_id().items():
            self._tables[name] = self.options.state_dir / "tables" / f"{logical}.jsonl"
            load_table(self._dynamodb, name, self._tables[name])
        environment = provisioner.function_environment()
        self._stack.enter_context(patched_environment(environment))
        from eventframework.handlers import webhook

        cold_start()
        webhook.ingestor.cache_clear()
        self.sink = QueueSink(environment["EFW_QUEUE_URL"], self.options.out, emulator.region).start()
        self.server = WebhookServer(
            webhook.lambda_handler, host=self.options.host, port=self.options.port
        ).start()
        return self

    def stop(self) -> None:
        """Stop serving, finish draining the queue, save the tables, stop the emulator."""
        try:
            if self.server is not None:
                self.server.stop()
            if self.sink is not None:
                self.sink.stop()
            for name, path in self._tables.items():
                save_table(self._dynamodb, name, path)
        finally:
            self._stack.close()

    def __enter__(self) -> LocalWebhookStack:
        try:
            return self.start()
        except BaseException:
            self._stack.close()
            raise
