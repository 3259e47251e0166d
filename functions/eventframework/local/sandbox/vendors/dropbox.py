"""Sandbox profile of Dropbox's team activity log (Dropbox Business API v2, team_log namespace).

`POST /2/team_log/get_events` takes a JSON body `{limit 1-1000, time: {start_time, end_time}}`
(Dropbox timestamps, `%Y-%m-%dT%H:%M:%SZ`, start inclusive, end exclusive); every reply is
`{events, cursor, has_more}` and the listing continues at `POST /2/team_log/get_events/continue`
with `{"cursor": ...}` alone. Without an end_time the cursor stays valid after the last page and
polls for events logged since, which is how a checkpoint resumes (team_log.stone, route get_events).

Dropbox's RPC conventions as its HTTP documentation states them: a malformed call (a limit out of
range, a time not in the Dropbox format, an unknown field, no JSON Content-Type) is a 400 with a
plain-text reason; a route's own error is a 409 `{"error_summary", "error": {".tag": ...}}`
(`invalid_time_range`, `invalid_filters`, `bad_cursor`); 401 is `invalid_access_token`; 429 carries
`Retry-After` and, in JSON, `{"error": {"reason": {".tag": "too_many_requests"}, "retry_after"}}`.

Access tokens are short-lived and come from the OAuth2 token endpoint with the app's long-lived
refresh token (`grant_type=refresh_token`, the app key and secret in the form or as HTTP basic
auth; Dropbox's "Using OAuth 2.0 with offline access"). Dropbox serves it at
`https://api.dropboxapi.com/oauth2/token`; the sandbox serves it at `/dropbox/oauth2/token` and
names it in the secret's `token_url`, as Box also uses `/oauth2/token` on this one loopback host.

Events carry no id (their content is their id, `event.id: $sha256`); the lower time bound applies
to ingestion time, so an event logged late is never hidden behind a cursor.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_limit
from eventframework.local.sandbox.catalogue_api import OAuth2RefreshTokenApi
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    Person,
    event_rng,
    make_people,
    pick,
    random_address,
    random_token,
)
from eventframework.local.sandbox.pools import PLACES
from eventframework.local.sandbox.stream import Cursor

DROPBOX_APP_KEY = "efwsandboxappkey"
DROPBOX_SCOPE = "events.read"
MAX_LIMIT = 1000
ACCESS_TOKEN_SECONDS = 14400  # Dropbox's short-lived access tokens last four hours
# common.stone: alias DropboxTimestamp = Timestamp("%Y-%m-%dT%H:%M:%SZ")
DROPBOX_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_DROPBOX_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
GET_EVENTS_FIELDS = frozenset({"limit", "account_id", "time", "category", "event_type"})
ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"


class RouteError(Exception):
    """A route-specific error: Dropbox answers it with 409 and the union's tag."""

    def __init__(self, tag: str, value: Any = None) -> None:
        super().__init__(tag)
        self.tag = tag
        self.value = value


def _summary(tag: str) -> str:
    """Dropbox's error_summary: the tag path, then a suffix that varies (clients must not parse it)."""
    return f"{tag}/..."


def _dropbox_time(document: dict[str, Any], name: str) -> int | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not _DROPBOX_TIME.fullmatch(value):
        raise BadRequest(f"time.{name}", f"time data {value!r} does not match format '{DROPBOX_TIME_FORMAT}'")
    moment = datetime.strptime(value, DROPBOX_TIME_FORMAT).replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class DropboxTeamEventsApi(OAuth2RefreshTokenApi):
    """`POST /2/team_log/get_events`, continued (and polled) at `/2/team_log/get_events/continue`."""

    source_id: ClassVar[str] = "dropbox-team-events"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "/2/team_log/get_events"
    continue_path: ClassVar[str] = "/2/team_log/get_events/continue"
    continue_paths: ClassVar[tuple[str, ...]] = (continue_path,)
    token_path: ClassVar[str] = "/dropbox/oauth2/token"

    # --- OAuth2 with a refresh token (catalogue_api.OAuth2RefreshTokenApi) ------------------------
    client_id: ClassVar[str] = DROPBOX_APP_KEY
    access_prefix: ClassVar[str] = "sl.efw-sandbox-access"
    access_token_seconds: ClassVar[int] = ACCESS_TOKEN_SECONDS

    def token_refusal(self, error: str) -> Reply:
        descriptions = {
            "invalid_client": "Invalid client_id or client_secret",
            "invalid_grant": "refresh token is invalid or revoked",
        }
        described = {"error_description": descriptions[error]} if error in descriptions else {}
        return Reply.json(400, {"error": error} | described)

    def check_refresh(self, form: dict[str, str]) -> Reply | None:
        """Dropbox refuses a scope the app was not granted; the reply has no new refresh token."""
        scope = form.get("scope")
        if scope is not None and set(scope.split()) - {DROPBOX_SCOPE}:
            return Reply.json(400, {"error": "invalid_scope", "error_description": f"not granted: {scope}"})
        return None

    # --- the listing -------------------------------------------------------------------------------

    def page_number(self, request: ApiRequest) -> int | None:
        try:
            document = json.loads(request.body or b"{}")
        except ValueError:
            return None
        if request.path != self.continue_path:
            return 1
        cursor = Cursor.decode(str(document.get("cursor", ""))) if isinstance(document, dict) else None
        return None if cursor is None else cursor.page

    def serve(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        route = "team_log/get_events" + ("/continue" if request.path == self.continue_path else "")
        try:
            return self.page(request, now, link_host)
        except BadRequest as problem:
            text = f'Error in call to API function "{route}": {problem.parameter}: {problem.problem}'
            return Reply(400, text.encode(), [("Content-Type", "text/plain; charset=utf-8")])
        except RouteError as error:
            inner: dict[str, Any] = {".tag": error.tag}
            if error.value is not None:
                inner[error.tag] = error.value
            return Reply.json(409, {"error_summary": _summary(error.tag), "error": inner})

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise BadRequest("Content-Type", f"bad HTTP header {content_type!r}; use application/json")
        try:
            document = json.loads(request.body or b"null")
        except ValueError as error:
            raise BadRequest("request body", f"could not decode input as JSON ({error})") from error
        if not isinstance(document, dict):
            raise BadRequest("request body", "expected an object")
        opened = request.path != self.continue_path
        cursor = self._opened(document) if opened else self._continued(document)
        selection = self.stream.select(cursor.position, cursor.limit, cursor.until_ms)
        events = self.stream.events(selection.positions)
        following = self.stream.select(selection.next_position, 1, cursor.until_ms)
        next_cursor = Cursor(selection.next_position, cursor.page + 1, cursor.limit, cursor.until_ms)
        body = {"events": events, "cursor": next_cursor.encode(), "has_more": bool(following.positions)}
        return Reply.json(200, body)

    def _opened(self, document: dict[str, Any]) -> Cursor:
        unknown = sorted(set(document) - GET_EVENTS_FIELDS)
        if unknown:
            raise BadRequest("request body", f"unknown field {unknown[0]!r}")
        limit = parse_limit(document.get("limit", MAX_LIMIT), MAX_LIMIT)
        window = document.get("time") or {}
        if not isinstance(window, dict) or set(window) - {"start_time", "end_time"}:
            raise BadRequest("time", "expected an object with start_time and/or end_time")
        start_ms, end_ms = _dropbox_time(window, "start_time"), _dropbox_time(window, "end_time")
        if start_ms is not None and end_ms is not None and end_ms <= start_ms:
            raise RouteError("invalid_time_range")
        if "category" in document and "event_type" in document:
            raise RouteError("invalid_filters")
        filters = sorted(GET_EVENTS_FIELDS & set(document) - {"limit", "time"})
        if filters:
            raise BadRequest(filters[0], "the sandbox does not filter by account, category or event type")
        return Cursor(self.stream.first_ingested_at_or_after(start_ms or 0), 1, limit, end_ms)

    def _continued(self, document: dict[str, Any]) -> Cursor:
        if set(document) != {"cursor"}:
            extra = sorted(set(document) - {"cursor"})
            raise BadRequest("request body", f"unknown field {extra[0]!r}" if extra else "missing 'cursor'")
        text = document["cursor"]
        cursor = Cursor.decode(text) if isinstance(text, str) else None
        if cursor is None:
            raise RouteError("bad_cursor")
        return cursor

    # --- errors ------------------------------------------------------------------------------------

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        if status != 429:
            return super().error(status, now, retry_after=retry_after, reset_in=reset_in)
        wait = retry_after if retry_after is not None else (reset_in if reset_in is not None else 1)
        body = {
            "error_summary": "too_many_requests/...",
            "error": {"reason": {".tag": "too_many_requests"}, "retry_after": wait},
        }
        return Reply.json(429, body, [("Retry-After", str(wait))])

    def error_body(self, status: int, detail: str | None = None) -> Any:
        tags = {
            400: "bad_request",
            401: "invalid_access_token",
            403: "no_permission",
            409: "other",
            429: "too_many_requests",
        }
        if status >= 500:
            return {"error_summary": "internal_server_error/..", "error": {".tag": "internal_server_error"}}
        tag = tags.get(status, "other")
        return {"error_summary": f"{tag}/..", "error": {".tag": tag}} | ({"detail": detail} if detail else {})


# --- events ----------------------------------------------------------------------------------------

Details = Callable[[random.Random], dict[str, Any]]


def _team_member(person: Person, ids: dict[str, str]) -> dict[str, Any]:
    return {
        ".tag": "team_member",
        "account_id": ids[person.email],
        "display_name": person.name,
        "email": person.email,
        "team_member_id": "dbmid:" + ids[person.email][5:],
    }


FILES = (
    ("/Finance/Q3 forecast.xlsx", "Q3 forecast.xlsx"),
    ("/Engineering/design-review.pdf", "design-review.pdf"),
    ("/HR/offer letters/template.docx", "template.docx"),
    ("/Sales/pipeline export.csv", "pipeline export.csv"),
    ("/Legal/NDA signed.pdf", "NDA signed.pdf"),
)
APPS = (("dbaid:AAFhvuxku2OYumUaV17x6ExFhr6OPrwjTKs", "Zapier"), ("dbaid:AAG1NxJeBtby", "HelloSign"))
LOGIN_METHODS = ("password", "saml", "google_oauth", "two_factor_authentication")


def _login_success(rng: random.Random) -> dict[str, Any]:
    return {"is_emm_managed": False, "login_method": {".tag": pick(rng, LOGIN_METHODS)}}


def _login_fail(rng: random.Random) -> dict[str, Any]:
    message = pick(rng, ("Incorrect password.", "Two-step verification code was incorrect."))
    return {
        "is_emm_managed": False,
        "login_method": {".tag": "password"},
        "error_details": {"user_friendly_message": message},
    }


def _logout(rng: random.Random) -> dict[str, Any]:
    return {"login_id": "dbwsid:" + str(rng.getrandbits(120))}


def _nothing(rng: random.Random) -> dict[str, Any]:
    return {}


def _shared_link(rng: random.Random) -> dict[str, Any]:
    return {"shared_link_access_level": {".tag": pick(rng, ("reader", "reader", "writer"))}}


def _tfa(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        return {"new_value": {".tag": "disabled"}, "previous_value": {".tag": "authenticator"}}
    return {"new_value": {".tag": "authenticator"}, "previous_value": {".tag": "disabled"}}


def _admin_role(rng: random.Random) -> dict[str, Any]:
    return {"new_value": {".tag": pick(rng, ("team_admin", "user_management_admin", "support_admin"))}}


def _app_link(rng: random.Random) -> dict[str, Any]:
    app_id, name = pick(rng, APPS)
    return {"app_info": {".tag": "user_linked_app", "app_id": app_id, "display_name": name}}


def _alert(rng: random.Random) -> dict[str, Any]:
    name, category, severity = pick(
        rng,
        (
            ("Mass file deletion", "massive_file_operation", "medium"),
            ("Unusual sign-in activity", "account_takeover", "high"),
        ),
    )
    return {
        "alert_name": name,
        "alert_severity": {".tag": severity},
        "alert_category": {".tag": category},
        "alert_instance_id": "pid_admin_alert:" + random_token(rng, 48, ID_ALPHABET),
    }


# (event type, description, category, details, who acts, asset?, weight)
EVENT_KINDS: tuple[tuple[str, str, str, Details, str, bool, int], ...] = (
    ("login_success", "Signed in", "logins", _login_success, "user", False, 30),
    ("logout", "Signed out", "logins", _logout, "user", False, 8),
    ("login_fail", "Failed to sign in", "logins", _login_fail, "user", False, 8),
    ("file_download", "Downloaded files and/or folders", "file_operations", _nothing, "user", True, 16),
    ("shared_link_create", "Created shared link", "sharing", _shared_link, "user", True, 9),
    ("password_change", "Changed password", "passwords", _nothing, "user", False, 4),
    ("app_link_user", "Linked app for member", "apps", _app_link, "user", False, 3),
    (
        "tfa_change_status",
        "Enabled/disabled/changed two-factor authentication setting",
        "tfa",
        _tfa,
        "user",
        False,
        3,
    ),
    ("sign_in_as_session_start", "Started admin sign-in-as session", "logins", _nothing, "admin", False, 2),
    ("member_change_admin_role", "Changed team member admin role", "members", _admin_role, "admin", False, 2),
    (
        "admin_alerting_triggered_alert",
        "Triggered security alert",
        "admin_alerting",
        _alert,
        "dropbox",
        False,
        1,
    ),
)
EVENT_KINDS_CUMULATIVE = cumulative(EVENT_KINDS)
SALT = 0xDB0C


class DropboxTeamEventFactory:
    """TeamEvent objects as get_events returns them: tagged unions (`.tag`) for the category, actor,
    context, access method and details, the acting member's IP and place in origin.geo_location."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)
        id_rng = event_rng(seed, SALT, -1)
        self._ids = {
            person.email: "dbid:AA" + random_token(id_rng, 41, ID_ALPHABET) for person in self._people
        }

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        kind, description, category, details, acting, with_asset, _ = weighted(
            rng, EVENT_KINDS, EVENT_KINDS_CUMULATIVE
        )
        acting_person, target = pick(rng, self._people), pick(rng, self._people)
        ip, _ = random_address(rng)
        place = pick(rng, PLACES)
        session = "dbwsid:" + str(rng.getrandbits(128))
        member = _team_member(acting_person, self._ids)
        actor: dict[str, Any]
        if acting == "admin":
            actor = {".tag": "admin", "admin": _team_member(acting_person, self._ids)}
            context: dict[str, Any] = _team_member(target, self._ids)
            access: dict[str, Any] = {
                ".tag": "sign_in_as" if kind.startswith("sign_in_as") else "admin_console"
            }
            access[access[".tag"]] = {"session_id": session}
        elif acting == "dropbox":
            actor, context, access = {".tag": "dropbox"}, {".tag": "team"}, {}
        else:
            actor, context = {".tag": "user", "user": member}, dict(member)
            device = pick(rng, ("web", "web", "desktop", "mobile"))
            access = {".tag": "end_user", "end_user": {".tag": device, "session_id": session}}
        path, name = pick(rng, FILES)
        assets = (
            [
                {
                    ".tag": "file",
                    "path": {
                        "contextual": path,
                        "namespace_relative": {
                            "ns_id": str(rng.randint(10**9, 10**10)),
                            "relative_path": path,
                            "is_shared_namespace": True,
                        },
                    },
                    "display_name": name,
                    "file_id": "id:" + random_token(rng, 22, ID_ALPHABET),
                }
            ]
            if with_asset
            else []
        )
        geo = {"city": place.city, "region": place.state, "country": place.country_code, "ip_address": ip}
        event: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(event_ms // 1000, tz=UTC).strftime(DROPBOX_TIME_FORMAT),
            "event_category": {".tag": category},
            "actor": actor,
            "origin": {"geo_location": geo, "access_method": access},
            "involve_non_team_member": False,
            "context": context,
            "participants": [],
            "assets": assets,
            "event_type": {".tag": kind, "description": description},
            "details": {".tag": f"{kind}_details", **details(rng)},
        }
        if acting == "dropbox":  # Dropbox's own actions (alerts) come from no session or address
            del event["origin"]
        return event


PROFILES: dict[str, Profile] = {
    DropboxTeamEventsApi.source_id: (DropboxTeamEventsApi, DropboxTeamEventFactory),
}
