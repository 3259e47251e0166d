"""`efw serve`'s loopback HTTP server: each request becomes an API Gateway REST proxy event for
`/webhooks/{source}` and goes to the webhook Lambda handler in-process, as API Gateway would send it.

Like API Gateway it refuses bodies over 10 MB (413) before the function sees them, passes a UTF-8
body as text and anything else base64-encoded, and stamps `requestContext.requestTimeEpoch`. Calls
to the handler are serialised: one Lambda container handles one request at a time.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from eventframework.local.engine.clock import SystemClock
from eventframework.local.engine.lambdas import LambdaContext
from eventframework.local.lifecycle import Service

API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024
FUNCTION_NAME = "WebhookFunction"
RESOURCE = "/webhooks/{source}"
_PATH = re.compile(r"^(?:/[^/]+)?/webhooks/(?P<source>[^/]+)/?$")

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _body_fields(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def proxy_event(
    method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes, *, now: float, source_ip: str
) -> dict[str, Any]:
    """The REST API proxy event API Gateway builds for this request (stage `local`)."""
    url = urlsplit(target)
    pairs = list(headers)
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    query = parse_qsl(url.query, keep_blank_values=True)
    match = _PATH.match(url.path)
    text, encoded = _body_fields(body)
    return {
        "resource": RESOURCE if match else url.path,
        "path": url.path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "queryStringParameters": dict(query) or None,
        "pathParameters": {"source": match.group("source")} if match else None,
        "requestContext": {
            "resourcePath": RESOURCE,
            "httpMethod": method,
            "path": url.path,
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": source_ip},
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def _context() -> LambdaContext:
    clock = SystemClock()
    return LambdaContext(
        function_name=FUNCTION_NAME,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION_NAME}",
        clock=clock,
        deadline=datetime.now(UTC) + timedelta(seconds=29),
    )


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: vendors' test deliveries would otherwise flood the terminal."""

    def _reply(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        payload = body.encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > API_GATEWAY_MAX_BODY_BYTES:
            self.close_connection = True
            self._reply(413, json.dumps({"message": "Request Too Long"}))
            return
        body = self.rfile.read(length) if length else b""
        event = proxy_event(
            self.command,
            self.path,
            self.headers.items(),
            body,
            now=time.time(),
            source_ip=self.client_address[0],
        )
        with self.server.lock:
            response = self.server.handler(event, _context())
        text = response.get("body") or ""
        if response.get("isBase64Encoded"):
            text = base64.b64decode(text).decode("utf-8", errors="replace")
        self._reply(int(response.get("statusCode", 502)), text, dict(response.get("headers") or {}))

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _dispatch  # noqa: N815 (http.server's names)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Handler) -> None:
        super().__init__(address, _RequestHandler)
        self.handler = handler
        self.lock = threading.Lock()


class WebhookServer(Service):
    """Serve `handler` on a loopback port (0 picks a free one) in a background thread."""

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> WebhookServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
