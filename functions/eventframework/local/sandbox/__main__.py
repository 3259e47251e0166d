"""Run the sandbox standalone: `python -m eventframework.local.sandbox --port 8080 --events 5000`.

Prints the base URL and where the token comes from, then serves until interrupted. The token is
taken from EFW_SANDBOX_TOKEN, or generated and printed (it guards nothing but this local fake).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from collections.abc import Sequence

from eventframework.local.sandbox.sandbox import SOURCES, Sandbox

TOKEN_ENV = "EFW_SANDBOX_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eventframework.local.sandbox",
        description="Serve the sandbox SaaS API (Okta System Log, 1Password sign-in attempts) on 127.0.0.1",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--events", type=int, default=5000, help="initial events per source")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated event set")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate")
    return parser


def main(
    argv: Sequence[str] | None = None,
    stop: threading.Event | None = None,
    started: threading.Event | None = None,
) -> int:
    """Serve until Ctrl-C, or until `stop` is set; `started` is set once the banner is printed
    (both exist so tests can drive this function without sleeping)."""
    args = build_parser().parse_args(argv)
    env_token = os.environ.get(TOKEN_ENV)
    sandbox = Sandbox(
        events=dict.fromkeys(SOURCES, args.events), seed=args.seed, token=env_token, tls=args.tls
    )
    with sandbox:
        print(f"sandbox serving at {sandbox.base_url}", flush=True)
        for source in sandbox.sources:
            print(f"  {source}: {sandbox.event_count(source)} events", flush=True)
        if env_token:
            print(f"token: from {TOKEN_ENV}", flush=True)
        else:
            print(f"token: {sandbox.token} (generated; set {TOKEN_ENV} to choose one)", flush=True)
        if sandbox.ca_file is not None:
            print(f"certificate to trust: {sandbox.ca_file}", flush=True)
        if started is not None:
            started.set()
        with contextlib.suppress(KeyboardInterrupt):
            (stop or threading.Event()).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
