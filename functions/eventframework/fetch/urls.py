"""URL helpers: joining base URL and path, the same-origin rule for links, query-free display forms."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from eventframework.fetch.errors import ForeignHostError

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """``scheme://host:port`` with the default port made explicit, lower-cased."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def without_query(url: str) -> str:
    """The URL minus query, fragment and user info: safe to log (cursors and tokens live in queries)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def join(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def require_same_origin(source: str, base_url: str, url: str) -> str:
    """Return ``url`` if it is on the base URL's scheme+host+port, else raise :class:`ForeignHostError`."""
    expected, found = origin(base_url), origin(url)
    if expected != found:
        raise ForeignHostError(source, expected, found)
    return url


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
