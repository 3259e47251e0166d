"""The catalogue's sources (every vendor the sandbox serves beyond Okta and 1Password sign-in
attempts, which have suites of their own), named once so the unit, golden and end-to-end suites
cover the same set: a vendor profile added to the sandbox joins all three."""

from __future__ import annotations

from eventframework.local.sandbox import SOURCES

CATALOGUE: tuple[str, ...] = tuple(sorted(set(SOURCES) - {"okta-system-log", "onepassword-signin-attempts"}))
