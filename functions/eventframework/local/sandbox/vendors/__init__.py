"""Sandbox profiles of the catalogue's vendors beyond the first ones: one module per vendor, each
exposing ``PROFILES`` (source id -> (API class, event factory class taking the seed)).

The modules are listed here by name, an explicit registry: a vendor joins the sandbox (and with it
`efw run`, `efw check-source` and the catalogue's contract tests) by adding its module and its name.
"""

from __future__ import annotations

from importlib import import_module

from eventframework.local.sandbox.api import Profile

VENDOR_MODULES: tuple[str, ...] = (
    "gitlab",
    "pagerduty",
    "onelogin",
    "zendesk",
    "launchdarkly",
    "tines",
    "cloudflare",
    "terraform",
    "atlassian",
    "twilio",
    "google_reports",
    "graph_reports",
    "onepassword_events",
    "quay",
    "duo_logs",
    "dropbox",
    "tailscale",
    "zoom_reports",
    "box",
    "stripe",
    "github_enterprise",
    "google_alertcenter",
    "duo_activity",
    "salesforce",
    "workday",
    "zitadel",
    "jumpcloud",
)


def profiles() -> dict[str, Profile]:
    """Every vendor module's profiles, merged (a source id appears in one module only)."""
    merged: dict[str, Profile] = {}
    for name in VENDOR_MODULES:
        found: dict[str, Profile] = import_module(f"{__name__}.{name}").PROFILES
        clash = set(found) & set(merged)
        if clash:
            raise ValueError(f"sandbox vendor module {name} repeats {sorted(clash)}")
        merged |= found
    return merged
