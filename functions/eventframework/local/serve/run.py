"""`efw serve`: the webhook API on the laptop, against the embedded emulator.

It deploys the template locally (emulator/deployment.py: the stores restored from the state directory,
the MozDef queue answered by a JSON-lines file), points the webhook handler at them through the
template's function environment and serves `POST|GET /webhooks/{source}` on loopback. Each request's
writes (delivery records, dead letters) and delivered events are on disk before its response, so a
redelivery after a restart, or after a crash, is still recognised as a duplicate.

Secrets come from `EFW_SECRET_<ID>` environment variables (eventframework.fetch.credentials), e.g.
`EFW_SECRET_GITHUB_WEBHOOK='{"webhook_secret": "..."}'`; they are never command-line arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventframework.handlers import cold_start
from eventframework.local.emulator.deployment import LocalDeployment
from eventframework.local.lifecycle import Service
from eventframework.local.serve.webhook_server import WebhookServer


@dataclass(frozen=True)
class ServeOptions:
    template: Path = Path("template.yaml")
    state_dir: Path = Path(".efw")
    out: Path = Path("efw-out") / "webhooks.jsonl"
    host: str = "127.0.0.1"
    port: int = 8080


class LocalWebhookStack(Service):
    """The local deployment and the loopback webhook server, started and stopped together."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.server: WebhookServer | None = None
        self.deployment: LocalDeployment | None = None

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the webhook stack is not running; use it as a context manager")
        return self.server.url

    @property
    def delivered(self) -> int:
        return self.deployment.delivered if self.deployment is not None else 0

    def start(self) -> LocalWebhookStack:
        deployment = LocalDeployment(
            self.options.template, self.options.state_dir, delivered_to=self.options.out
        )
        self.deployment = deployment.__enter__()
        from eventframework.handlers import webhook

        cold_start()
        webhook.ingestor.cache_clear()

        def handle_durably(event: Any, context: Any) -> Any:
            response = webhook.lambda_handler(event, context)
            deployment.commit()  # on disk before API Gateway would answer
            return response

        self.server = WebhookServer(handle_durably, host=self.options.host, port=self.options.port).start()
        return self

    def stop(self) -> None:
        """Stop serving, then save the state and stop the emulator."""
        try:
            if self.server is not None:
                self.server.stop()
            if self.deployment is not None:
                self.deployment.save([])
        finally:
            if self.deployment is not None:
                self.deployment.__exit__(None, None, None)
                self.deployment = None

    def __enter__(self) -> LocalWebhookStack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise
