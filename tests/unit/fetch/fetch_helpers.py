"""Shared helpers for fetch tests: a scripted HTTP server on 127.0.0.1 and a fixed clock."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from eventframework.definitions.model import SourceDefinition, Timeouts


@dataclass
class Reply:
    status: int = 200
    body: Any = b"[]"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer (until the test ends): exercises the read timeout
    truncate: bool = False  # announce a longer body than is sent, then close


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Loopback:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply(self, **kwargs: Any) -> None:
        self.replies.append(Reply(**kwargs))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                loopback.seen.append(
                    Seen(
                        self.command,
                        parts.path,
                        parse_qs(parts.query),
                        dict(self.headers),
                        self.rfile.read(length),
                    )
                )
                reply = loopback.replies.popleft() if loopback.replies else Reply(status=404, body=b"{}")
                if reply.hang:
                    loopback.release.wait(10)
                    return
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) + (100 if reply.truncate else 0)))
                if reply.truncate:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                if reply.truncate:
                    self.close_connection = True

            do_GET = _serve  # noqa: N815 - http.server dispatches on these names
            do_POST = _serve  # noqa: N815

        return Handler


def with_fast_timeouts(definition: SourceDefinition) -> SourceDefinition:
    return replace(definition, request=replace(definition.request, timeout=Timeouts(connect=1.0, read=0.3)))


FIXED_NOW = 1_723_600_000.0  # 2024-08-14T01:46:40Z


def clock() -> float:
    return FIXED_NOW
