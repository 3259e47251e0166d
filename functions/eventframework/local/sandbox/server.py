"""The loopback HTTP server: sockets in, `SandboxService` outcomes out, and a clean shutdown.

HTTP/1.1 with keep-alive (clients reuse connections, as they do against real vendors). Every open
connection is tracked so `close()` can shut idle keep-alive sockets down and then join every
handler thread: a stopped sandbox leaves no thread behind.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from eventframework.local.sandbox.api import ApiRequest, Reply
from eventframework.local.sandbox.service import SandboxService

MAX_BODY_BYTES = 1 << 20
_LINGER_RESET = struct.pack("ii", 1, 0)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, port: int, service: SandboxService, ssl_context: ssl.SSLContext | None = None) -> None:
        self.service = service
        self.stopping = threading.Event()
        self._ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        if self._ssl_context is not None:
            # The handshake happens on first read, in the handler thread, not in the accept loop.
            connection = self._ssl_context.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close(self) -> None:
        """Stop accepting, wake slow faults, drop idle keep-alive connections, join all threads."""
        self.stopping.set()
        self.shutdown()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would stall each reply
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests are recorded structurally (`Sandbox.requests`), not printed."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(Reply.json(413, {"error": "request body too large"}))
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = ApiRequest(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            body=body,
            authorization=self.headers.get("Authorization"),
            headers={name.lower(): value for name, value in self.headers.items()},
            host=self.headers.get("Host", ""),
            raw_query=url.query,
        )
        outcome = self.server.service.handle(request)
        if outcome.delay and self.server.stopping.wait(outcome.delay):
            self.close_connection = True
            return
        if outcome.reply is None:
            self._reset()
            return
        self._send(outcome.reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _reset(self) -> None:
        """Abort with a TCP RST: SO_LINGER with a zero timeout makes close() discard and reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
            self.connection.close()
        except OSError:
            pass
