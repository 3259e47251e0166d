"""`efw serve`: receive webhooks locally (curl, or a vendor's test delivery through a tunnel) and
deliver them to the local MozDef queue file; see eventframework.local.serve.run."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from pathlib import Path
from typing import Any

from eventframework.local.serve.run import LocalWebhookStack, ServeOptions


def _command(args: argparse.Namespace) -> int:
    options = ServeOptions(template=args.template, state_dir=args.state_dir, out=args.out, port=args.port)
    with LocalWebhookStack(options) as stack:
        print(
            f"efw serve: POST {stack.url}/webhooks/<source>  (events -> {options.out}; Ctrl-C stops)",
            flush=True,
        )
        print(
            '  secrets: EFW_SECRET_<SOURCE_ID>=\'{"webhook_secret": "..."}\' in the environment', flush=True
        )
        stopped = threading.Event()
        # Ctrl-C, or SIGTERM (what a supervisor or `kill` sends), stops cleanly and saves the state.
        signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
        with contextlib.suppress(KeyboardInterrupt):
            while not stopped.wait(0.5):
                pass
        delivered = stack.delivered
    print(f"efw serve: stopped; {delivered} events delivered to {options.out}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the webhook API on 127.0.0.1 against the embedded emulator"
    )
    parser.add_argument("--port", type=int, default=8080, help="loopback port (0 picks a free one)")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"), help="SAM template")
    parser.add_argument("--state-dir", type=Path, default=Path(".efw"), help="local state directory")
    parser.add_argument(
        "--out", type=Path, default=Path("efw-out") / "webhooks.jsonl", help="MozDef queue file"
    )
    parser.set_defaults(func=_command)
