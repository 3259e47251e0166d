"""HMAC request signing: every request carries a signature over its canonical form (Duo Admin API).

The canonical request is the signed date, the method, the host, the path and the query parameters
sorted by name and percent-encoded (RFC 3986, ``~`` unreserved), one per line. The signature is the
hex HMAC of that text under the secret key, sent as ``Authorization: Basic <key id>:<signature>``
with the date in the header named by ``auth.date_header``. Signing per request is why this kind
overrides ``request_headers``: the signature covers the cursor parameters of each page.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from eventframework.fetch.auth import Auth, AuthContext, SignedRequest, basic_header, require_credential

DIGESTS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}


def canonical_params(pairs: Iterable[tuple[str, str]]) -> str:
    """``k=v`` pairs sorted by name then value, both percent-encoded with only ``~`` left as is."""
    encoded = sorted((quote(k, safe="~"), quote(v, safe="~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_request(date: str, method: str, url: str, params: Mapping[str, object]) -> str:
    """The text that is signed, from the request as it will be sent."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    pairs += [(str(k), str(v)) for k, v in params.items()]
    return "\n".join([date, method.upper(), parts.netloc.lower(), parts.path, canonical_params(pairs)])


def sign(secret_key: str, canonical: str, algorithm: str = "sha1") -> str:
    return hmac.new(secret_key.encode(), canonical.encode(), DIGESTS[algorithm]).hexdigest()


class HmacSignatureAuth(Auth):
    """Credentials ``integration_key`` and ``secret_key`` from the source's secret."""

    secret_keys = ("integration_key", "secret_key")

    def headers(self, ctx: AuthContext) -> dict[str, str]:
        # Without the request there is nothing to sign; the client always calls request_headers.
        return {}

    def request_headers(self, ctx: AuthContext, request: SignedRequest) -> dict[str, str]:
        key_id = require_credential(ctx.source, ctx.credentials, "integration_key")
        secret = require_credential(ctx.source, ctx.credentials, "secret_key")
        date = formatdate(ctx.now(), usegmt=False)
        canonical = canonical_request(date, request.method, request.url, request.params)
        signature = sign(secret, canonical, self.spec.algorithm)
        return {self.spec.date_header: date, "Authorization": basic_header(key_id, signature)}
