"""The project's one exception root, so callers can catch everything we raise in one place."""

from __future__ import annotations


class EventFrameworkError(Exception):
    """Base of every error this project raises on purpose.

    Subclasses carry structured fields (file, path, source id, ...) as attributes; the message is
    built from them so logs stay readable while code can still inspect the parts.
    """
