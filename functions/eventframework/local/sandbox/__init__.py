"""The sandbox SaaS API: a loopback HTTP server that behaves like the vendors' APIs (Okta System
Log, 1Password Events sign-in attempts, Auth0 logs, Duo authentication log, Google Workspace login
activities, GitHub audit log, Slack audit logs, Microsoft Graph sign-ins) with their auth, paging and
error shapes, serves a deterministic generated event set, and injects
faults on demand so every delivery guarantee can be tested by counting events end to end.

    with Sandbox(events={"okta-system-log": 5000}, seed=7, token="sandbox-token") as sandbox:
        sandbox.inject("okta-system-log", Fault.http_status(429, times=2, retry_after=1))
        ...
"""

from __future__ import annotations

from eventframework.local.sandbox.errors import (
    FaultNotApplicableError,
    SandboxError,
    SandboxStateError,
    UnknownSourceError,
)
from eventframework.local.sandbox.faults import Fault, FaultKind
from eventframework.local.sandbox.sandbox import SOURCES, Sandbox
from eventframework.local.sandbox.service import RequestRecord
from eventframework.local.sandbox.stream import Cursor

__all__ = [
    "SOURCES",
    "Cursor",
    "Fault",
    "FaultKind",
    "FaultNotApplicableError",
    "RequestRecord",
    "Sandbox",
    "SandboxError",
    "SandboxStateError",
    "UnknownSourceError",
]
