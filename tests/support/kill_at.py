"""The child of the kill-anywhere test: one `efw run` of the sandbox Okta source, SIGKILLed at a point.

Usage: python kill_at.py STATE_DIR OUT EVENTS POINT  (EVENTS: the sandbox's size if it is new)

POINT is `<where>:<n>`, the n-th time the run reaches `where`:
- `after-fetch`: FetchPage stored a page and returned; ProcessPage has not run;
- `in-publish`: the delivered-events file holds n events: the kill lands while ProcessPage is
  publishing (a page is 100 SendMessageBatch calls), before the page's ledger entries are written;
- `after-process`: ProcessPage's handler returned (page published and recorded), the engine has not
  left the state;
- `before-checkpoint`: ProcessPage is done; "Save checkpoint" is about to write the cursor;
- `rate-limit-wait`: FetchPage returned a rate-limit wait (the sandbox answers that page with 429);
  the kill comes while the engine sleeps in "Wait out the rate limit".

The process kills itself with SIGKILL: no handler, no clean-up, no flush, as a crash or the OOM
killer would. The sandbox is the one `efw run` keeps in STATE_DIR, so the parent's next `efw run`
serves the same events.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventframework.handlers import fetch_page, process_page
from eventframework.local.run.pull import LocalPull, LocalRunOptions
from eventframework.local.run.sandbox_state import open_sandbox
from eventframework.local.sandbox import Fault
from eventframework.state.aws import container_session

REPO = Path(__file__).resolve().parents[2]
SOURCE = "okta-system-log"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
RATE_LIMIT_SECONDS = 30  # far longer than the kill takes: the kill always lands inside the wait


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def die_once_delivered(out: Path, events: int) -> None:
    """Watch the delivered-events file; die as soon as it holds `events` lines."""
    while not out.exists() or out.read_bytes().count(b"\n") < events:
        time.sleep(0.001)
    die()


def counted(n: int, then: Callable[[], None]) -> Callable[[], None]:
    """A callable that runs `then` on its n-th call."""
    calls = [0]

    def tick() -> None:
        calls[0] += 1
        if calls[0] == n:
            then()

    return tick


def after(handler: Callable[[Any, Any], Any], tick: Callable[[], None]) -> Callable[[Any, Any], Any]:
    def wrapped(event: Any, context: Any) -> Any:
        result = handler(event, context)
        tick()
        return result

    return wrapped


def main(state_dir: Path, out: Path, events: int, point: str) -> None:
    where, _, count = point.partition(":")
    n = int(count or "1")
    lambdas: dict[str, Any] = {}
    sandbox = open_sandbox(state_dir, SOURCE, events=events, new_events=0, seed=7, token="kill-test-token")
    fetch, process = FUNCTION_ARN.format("FetchPageFunction"), FUNCTION_ARN.format("ProcessPageFunction")
    if where == "after-fetch":
        lambdas[fetch] = after(fetch_page.lambda_handler, counted(n, die))
    elif where == "after-process":
        lambdas[process] = after(process_page.lambda_handler, counted(n, die))
    elif where == "before-checkpoint":
        tick = counted(n, die)

        def before_checkpoint(params: dict[str, Any], **_: Any) -> None:
            if "#cursor" in str(params.get("UpdateExpression", "")):
                tick()

        container_session().events.register("provide-client-params.dynamodb.UpdateItem", before_checkpoint)
    elif where == "in-publish":
        threading.Thread(target=die_once_delivered, args=(out, n), daemon=True).start()
    elif where == "rate-limit-wait":
        sandbox.inject(SOURCE, Fault.on_page(n, Fault.http_status(429, retry_after=RATE_LIMIT_SECONDS)))

        def fetch_then_die_in_the_wait(event: Any, context: Any) -> Any:
            result = fetch_page.lambda_handler(event, context)
            if isinstance(result, dict) and result.get("wait_seconds"):
                threading.Timer(0.3, die).start()
            return result

        lambdas[fetch] = fetch_then_die_in_the_wait
    else:
        raise SystemExit(f"unknown kill point {point!r}")
    options = LocalRunOptions(source=SOURCE, template=REPO / "template.yaml", state_dir=state_dir, out=out)
    try:
        summary = LocalPull(options, sandbox=sandbox, lambdas=lambdas).run()
    finally:
        sandbox.stop()
    raise SystemExit(f"the run ended ({summary.status}) before reaching {point}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
