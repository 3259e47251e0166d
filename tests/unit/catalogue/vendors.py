"""Vendor-faithful stubs of the catalogue's APIs: auth checks, query semantics, page shapes, cursors.

Each stub holds its events in event-time order (ids increase with time), generated from the
fixture events in tests/fixtures/<id>/page.json by giving each copy a new id and time. Only what the
vendor documents for the endpoint is implemented: the first-request filter, the page size cap, the
continuation (cursor, next link, offset) and the auth the vendor requires.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from loopback import Handler, StubReply, StubRequest

from eventframework.definitions.paths import compile_path
from eventframework.fetch.auth_signing import canonical_params

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TOKEN = "stub-access-token"


def iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def iso_s(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def templates(source: str, records_path: str) -> list[dict[str, Any]]:
    body = json.loads((FIXTURES / source / "page.json").read_text())
    found: list[dict[str, Any]] = compile_path(records_path)(body)
    return found


def bearer_ok(request: StubRequest) -> bool:
    return request.headers.get("authorization") == f"Bearer {TOKEN}"


UNAUTHORIZED = StubReply(401, {"error": "unauthorized"})


@dataclass
class Vendor:
    """One stub: `make(i, ms)` builds event i at time ms; `routes()` serves them."""

    source: str
    records_path: str
    ms_of: Callable[[dict[str, Any]], int]
    id_of: Callable[[dict[str, Any]], str]
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, count: int, start_ms: int, step_ms: int = 30_000) -> list[dict[str, Any]]:
        pool = templates(self.source, self.records_path)
        first = len(self.events)
        added = [
            self.make(copy.deepcopy(pool[i % len(pool)]), i, start_ms + (i - first) * step_ms)
            for i in range(first, first + count)
        ]
        self.events += added
        return added

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        raise NotImplementedError

    def routes(self) -> dict[tuple[str, str], Handler]:
        raise NotImplementedError

    def credentials(self, base_url: str) -> dict[str, str]:
        return {"base_url": base_url, "token": TOKEN}

    def since(self, ms: int) -> list[dict[str, Any]]:
        return [e for e in self.events if self.ms_of(e) >= ms]


def oauth_token(request: StubRequest) -> StubReply:
    form = request.form()
    if form.get("grant_type") != "client_credentials" or form.get("client_secret") != "stub-secret":
        return StubReply(401, {"error": "access_denied"})
    return StubReply(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 86400})


class Auth0(Vendor):
    def __init__(self) -> None:
        super().__init__("auth0-logs", "$", lambda e: parse_ms(e["date"]), lambda e: e["log_id"])

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        return event | {"date": iso_ms(ms), "log_id": f"900{ms:016d}{i:08d}"}

    def credentials(self, base_url: str) -> dict[str, str]:
        self.audience = f"{base_url}/api/v2/"
        return {"base_url": base_url, "client_id": "stub-client", "client_secret": "stub-secret"}

    def token(self, request: StubRequest) -> StubReply:
        """Auth0 issues Management API tokens only for the tenant's /api/v2/ audience."""
        if request.form().get("audience") != self.audience:
            return StubReply(403, {"error": "access_denied", "error_description": "Service not enabled"})
        return oauth_token(request)

    def logs(self, request: StubRequest) -> StubReply:
        if not bearer_ok(request):
            return UNAUTHORIZED
        query = request.query
        if "from" in query:  # checkpoint: events after that id, oldest first, at most `take` (<= 100)
            take = min(int(query.get("take", 50)), 100)
            return StubReply(200, [e for e in self.events if e["log_id"] > query["from"]][:take])
        start = query["q"].removeprefix("date:[").split(" TO ")[0]
        assert query.get("sort") == "date:1"
        return StubReply(200, self.since(parse_ms(start))[: int(query.get("per_page", 50))])

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {("POST", "/oauth/token"): self.token, ("GET", "/api/v2/logs"): self.logs}


class Duo(Vendor):
    IKEY, SKEY = "DIWJ8X6AEYOR5OMC6TQ1", "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep"

    def __init__(self) -> None:
        super().__init__(
            "duo-authentication-log",
            "response.authlogs",
            lambda e: e["timestamp"] * 1000,
            lambda e: e["txid"],
        )

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        ms -= ms % 1000
        iso = datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="microseconds")
        return event | {"timestamp": ms // 1000, "isotimestamp": iso, "txid": f"txid-{i:06d}"}

    def credentials(self, base_url: str) -> dict[str, str]:
        return {"base_url": base_url, "integration_key": self.IKEY, "secret_key": self.SKEY}

    def signed(self, request: StubRequest) -> bool:
        canonical = "\n".join(
            [
                request.headers.get("date", ""),
                request.method,
                request.host.lower(),
                request.path,
                canonical_params(request.query.items()),
            ]
        )
        digest = hmac.new(self.SKEY.encode(), canonical.encode(), hashlib.sha1).hexdigest()
        expected = "Basic " + base64.b64encode(f"{self.IKEY}:{digest}".encode()).decode()
        return hmac.compare_digest(request.headers.get("authorization", ""), expected)

    def logs(self, request: StubRequest) -> StubReply:
        if not self.signed(request):
            return StubReply(
                401, {"stat": "FAIL", "code": 40103, "message": "Invalid signature in request credentials"}
            )
        query = request.query
        mintime, maxtime, limit = int(query["mintime"]), int(query["maxtime"]), int(query.get("limit", 100))
        window = [e for e in self.events if mintime <= self.ms_of(e) <= maxtime]
        if "next_offset" in query:
            ts, txid = query["next_offset"].split(",")
            window = [e for e in window if (self.ms_of(e), e["txid"]) > (int(ts), txid)]
        page, more = window[:limit], len(window) > limit
        offset = [str(self.ms_of(page[-1])), page[-1]["txid"]] if more else None
        metadata = {"next_offset": offset, "total_objects": {"value": len(window), "relation": "eq"}}
        return StubReply(200, {"stat": "OK", "response": {"authlogs": page, "metadata": metadata}})

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {("GET", "/admin/v2/logs/authentication"): self.logs}


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class Google(Vendor):
    KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"

    def __init__(self) -> None:
        super().__init__(
            "google-workspace-login",
            "items",
            lambda e: parse_ms(e["id"]["time"]),
            lambda e: e["id"]["uniqueQualifier"],
        )
        self.token_url = ""

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        return event | {"id": event["id"] | {"time": iso_ms(ms), "uniqueQualifier": str(-9_000_000 + i)}}

    def credentials(self, base_url: str) -> dict[str, str]:
        from cryptography.hazmat.primitives import serialization

        pem = self.KEY.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.token_url = f"{base_url}/token"
        return {
            "base_url": base_url,
            "client_email": "efw@sandbox-corp.iam.gserviceaccount.com",
            "private_key": pem,
            "token_uri": self.token_url,
            "subject": "admin@sandbox-corp.example",
        }

    def token(self, request: StubRequest) -> StubReply:
        form = request.form()
        header, claims, signature = form["assertion"].split(".")
        try:
            self.KEY.public_key().verify(
                _b64decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception:  # any verification failure is invalid_grant
            return StubReply(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        payload = json.loads(_b64decode(claims))
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        assert payload["aud"] == self.token_url and payload["scope"] == self.SCOPE
        assert payload["sub"] == "admin@sandbox-corp.example" and payload["exp"] > payload["iat"]
        return StubReply(200, {"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"})

    def activities(self, request: StubRequest) -> StubReply:
        if not bearer_ok(request):
            return StubReply(
                401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}}
            )
        newest_first = sorted(self.since(parse_ms(request.query["startTime"])), key=self.ms_of, reverse=True)
        start, size = int(request.query.get("pageToken", 0)), int(request.query.get("maxResults", 1000))
        body: dict[str, Any] = {
            "kind": "admin#reports#activities",
            "items": newest_first[start : start + size],
        }
        if start + size < len(newest_first):
            body["nextPageToken"] = str(start + size)
        return StubReply(200, body)

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("POST", "/token"): self.token,
            ("GET", "/admin/reports/v1/activity/users/all/applications/login"): self.activities,
        }


class GitHub(Vendor):
    PATH = "/orgs/example-org/audit-log"

    def __init__(self) -> None:
        super().__init__("github-audit-log", "$", lambda e: e["@timestamp"], lambda e: e["_document_id"])
        self.base_url = ""

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        return event | {"@timestamp": ms, "created_at": ms, "_document_id": f"doc-{i:06d}"}

    def credentials(self, base_url: str) -> dict[str, str]:
        self.base_url = base_url
        return super().credentials(base_url)

    def audit_log(self, request: StubRequest) -> StubReply:
        if not bearer_ok(request):
            return StubReply(401, {"message": "Bad credentials"})
        query = request.query
        assert query.get("order") == "asc" and query.get("include") == "all"
        start = query["phrase"].removeprefix("created:>=")
        matching = self.since(parse_ms(start))
        if "after" in query:
            matching = [e for e in matching if e["_document_id"] > query["after"]]
        size = min(int(query.get("per_page", 30)), 100)
        page = matching[:size]
        headers = {}
        if len(matching) > size:
            following = query | {"after": page[-1]["_document_id"]}
            headers["Link"] = f'<{self.base_url}{self.PATH}?{urlencode(following)}>; rel="next"'
        return StubReply(200, page, headers)

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {("GET", self.PATH): self.audit_log}


class Slack(Vendor):
    def __init__(self) -> None:
        super().__init__("slack-audit-logs", "entries", lambda e: e["date_create"] * 1000, lambda e: e["id"])

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        return event | {"date_create": ms // 1000, "id": f"0123a45b-6c7d-8900-e12f-{i:012d}"}

    def logs(self, request: StubRequest) -> StubReply:
        if not bearer_ok(request):
            return StubReply(401, {"ok": False, "error": "invalid_auth"})
        newest_first = sorted(self.since(int(request.query["oldest"]) * 1000), key=self.ms_of, reverse=True)
        cursor = request.query.get("cursor")
        start = int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0
        size = min(int(request.query.get("limit", 100)), 9999)
        end = start + size
        following = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(newest_first) else ""
        entries = newest_first[start:end]
        return StubReply(200, {"entries": entries, "response_metadata": {"next_cursor": following}})

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {("GET", "/audit/v1/logs"): self.logs}


class Graph(Vendor):
    PATH = "/v1.0/auditLogs/signIns"

    def __init__(self) -> None:
        super().__init__(
            "microsoft-graph-signins", "value", lambda e: parse_ms(e["createdDateTime"]), lambda e: e["id"]
        )
        self.base_url = ""

    def make(self, event: dict[str, Any], i: int, ms: int) -> dict[str, Any]:
        return event | {"createdDateTime": iso_s(ms), "id": f"66ea54eb-6301-4ee5-be62-{i:012d}"}

    def credentials(self, base_url: str) -> dict[str, str]:
        self.base_url = base_url
        return {"base_url": base_url, "client_id": "stub-client", "client_secret": "stub-secret"}

    def sign_ins(self, request: StubRequest) -> StubReply:
        if not bearer_ok(request):
            return StubReply(
                401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}
            )
        query = request.query
        if "$skiptoken" in query:
            start, floor = (int(part) for part in query["$skiptoken"].split("-"))
        else:
            start, floor = 0, parse_ms(query["$filter"].removeprefix("createdDateTime ge "))
        newest_first = sorted(self.since(floor), key=self.ms_of, reverse=True)
        size = int(query.get("$top", 1000))
        body: dict[str, Any] = {
            "@odata.context": f"{self.base_url}/v1.0/$metadata#auditLogs/signIns",
            "value": newest_first[start : start + size],
        }
        if start + size < len(newest_first):
            skip = urlencode({"$top": size, "$skiptoken": f"{start + size}-{floor}"})
            body["@odata.nextLink"] = f"{self.base_url}{self.PATH}?{skip}"
        return StubReply(200, body)

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {("POST", "/oauth2/v2.0/token"): oauth_token, ("GET", self.PATH): self.sign_ins}


VENDORS: dict[str, Callable[[], Vendor]] = {
    "auth0-logs": Auth0,
    "duo-authentication-log": Duo,
    "google-workspace-login": Google,
    "github-audit-log": GitHub,
    "slack-audit-logs": Slack,
    "microsoft-graph-signins": Graph,
}
