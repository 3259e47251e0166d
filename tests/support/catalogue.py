"""The catalogue's sources (the vendors beyond Okta and 1Password the framework ships definitions
for), named once so the unit, golden and end-to-end suites cover the same set."""

from __future__ import annotations

CATALOGUE: tuple[str, ...] = (
    "auth0-logs",
    "duo-authentication-log",
    "google-workspace-login",
    "github-audit-log",
    "slack-audit-logs",
    "microsoft-graph-signins",
)
