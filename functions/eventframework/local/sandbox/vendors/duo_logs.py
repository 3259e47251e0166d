"""Sandbox profile of Duo's Admin API logs beyond authentication: the telephony log v2.

`GET /admin/v2/logs/telephony` is signed and windowed exactly like the authentication log v2
(HMAC-SHA1, `mintime`/`maxtime` in epoch milliseconds on every page, `limit` at most 1000), so the
API reuses `DuoAuthLogApi`'s signature check and error bodies. Its page differs: the entries are in
`response.items`, and `metadata.next_offset` is one string, "<ts in ms>,<telephony_id>" of the last
entry (the authentication log sends a [ts, txid] list).

The administrator log v1 (`GET /admin/v1/logs/administrator`) is signed the same way but is older:
`mintime` in epoch SECONDS (optional), at most the 1000 earliest entries at or after it, oldest
first, the entries as the whole `response` list, no cursor and no entry id. A client pages by asking
again from the last entry's `timestamp`. Duo documents no page-size parameter for it; the sandbox
honours a `limit` of at most 1000 (Duo's fixed page) so tests can page through a few entries. Its
profile is written but not registered in `PROFILES` (why: the comment there).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply
from eventframework.local.sandbox.catalogue_api import limit_param, require_param
from eventframework.local.sandbox.catalogue_events import DUO_POSITION_HEX, cumulative, duo_position, weighted
from eventframework.local.sandbox.generate import (
    event_rng,
    make_people,
    pick,
    random_address,
    random_hex,
    random_uuid,
)
from eventframework.local.sandbox.oldest_first_apis import DuoAuthLogApi

SORTS = ("ts:asc", "ts:desc")


class DuoItemsLogApi(DuoAuthLogApi):
    """Duo's v2 logs that list `response.items` (telephony, activity): `mintime`/`maxtime` (epoch ms)
    required on every page, `limit` clamped to 1000, `sort` ts:asc or ts:desc (the sandbox serves
    ts:asc only, what a checkpointing client asks for), continued by `next_offset` =
    "<ts ms>,<the item's id_field>"."""

    id_field: ClassVar[str]

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        mintime, maxtime = _epoch_ms(query, "mintime"), _epoch_ms(query, "maxtime")
        if maxtime <= mintime:
            raise BadRequest("maxtime", "must be greater than mintime")
        sort = query.get("sort", "ts:desc")
        if sort not in SORTS:
            raise BadRequest("sort", "must be ts:asc or ts:desc")
        if sort != "ts:asc":
            raise BadRequest("sort", "the sandbox lists oldest first only: pass sort=ts:asc")
        limit = limit_param(query, "limit", 100, 1000)
        if "next_offset" in query:
            stamp, _, item_id = query["next_offset"].partition(",")
            position = duo_position(item_id)
            if not stamp.isdigit() or position is None:
                raise BadRequest("next_offset", "must be the next_offset of a previous page")
            start = position + 1
        else:
            start = self.stream.first_ingested_at_or_after(mintime)
        selection = self.stream.select(start, limit, maxtime + 1)
        items = self.stream.events(selection.positions)
        more = bool(items) and bool(self.stream.select(selection.next_position, 1, maxtime + 1).positions)
        offset = f"{_epoch_ms_of(items[-1]['ts'])},{items[-1][self.id_field]}" if more else None
        metadata = {"next_offset": offset, "total_objects": {"value": len(items), "relation": "gte"}}
        return Reply.json(200, {"stat": "OK", "response": {"items": items, "metadata": metadata}})


class DuoTelephonyLogApi(DuoItemsLogApi):
    """`GET /admin/v2/logs/telephony`, items keyed by `telephony_id`."""

    source_id: ClassVar[str] = "duo-telephony-log"
    path: ClassVar[str] = "/admin/v2/logs/telephony"
    id_field: ClassVar[str] = "telephony_id"


def _epoch_ms(query: dict[str, str], name: str) -> int:
    value = require_param(query, name)
    if not value.isdigit():
        raise BadRequest(name, f"must be epoch milliseconds, got {value!r}")
    return int(value)


def _epoch_ms_of(ts: str) -> int:
    return int(datetime.fromisoformat(ts).timestamp() * 1000)


# (context, type, credits, weight): domestic SMS and calls cost one credit; international and
# premium destinations several (Duo's toll-fraud pattern), now and then.
TELEPHONY_KINDS = (
    ("authentication", "sms", 1, 50),
    ("authentication", "phone", 1, 25),
    ("enrollment", "sms", 1, 10),
    ("administrator login", "sms", 1, 6),
    ("authentication", "phone", 0, 3),
    ("authentication", "sms", 3, 4),
    ("authentication", "phone", 12, 2),
)
_KIND_WEIGHTS = [row[-1] for row in TELEPHONY_KINDS]
# E.164 numbers in the ranges set aside for fiction and documentation.
PHONE_PREFIXES = ("+1503555", "+1206555", "+1415555", "+4477009", "+3361234")
SALT = 0x7E1E


class DuoTelephonyEventFactory:
    """Telephony log v2 entries shaped as Duo documents them (context, credits, phone,
    telephony_id, ts, txid, type); the telephony_id's last group carries the stream position."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        context, kind, credits, _ = rng.choices(TELEPHONY_KINDS, weights=_KIND_WEIGHTS)[0]
        prefix = pick(rng, PHONE_PREFIXES) if credits > 1 else pick(rng, PHONE_PREFIXES[:3])
        moment = datetime.fromtimestamp(event_ms / 1000, tz=UTC)
        return {
            "context": context,
            "credits": credits,
            "phone": f"{prefix}{rng.randint(0, 9999):04d}",
            "telephony_id": f"{random_hex(rng, 8)}-{random_hex(rng, 4)}-4{random_hex(rng, 3)}-"
            f"a{random_hex(rng, 3)}-{position:0{DUO_POSITION_HEX}x}",
            "ts": moment.isoformat(timespec="microseconds"),
            "txid": random_uuid(rng),
            "type": kind,
        }


class DuoAdministratorLogApi(DuoAuthLogApi):
    """`GET /admin/v1/logs/administrator?mintime=<epoch s>`: the earliest entries ingested at or after
    mintime, at most 1000 (or the sandbox-only `limit`), as `{"stat": "OK", "response": [...]}`."""

    source_id: ClassVar[str] = "duo-administrator-log"
    path: ClassVar[str] = "/admin/v1/logs/administrator"

    def page_number(self, request: ApiRequest) -> int | None:
        """Every request is a first page: the next one differs only by its mintime."""
        return 1

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        mintime = query.get("mintime", "0")
        if not mintime.isdigit():
            raise BadRequest("mintime", f"must be epoch seconds, got {mintime!r}")
        if int(mintime) >= EPOCH_MS_FLOOR:
            raise BadRequest("mintime", f"must be epoch SECONDS (v1 handler), got milliseconds {mintime!r}")
        limit = limit_param(query, "limit", ADMIN_LOG_PAGE, ADMIN_LOG_PAGE)
        selection = self.stream.select(self.stream.first_ingested_at_or_after(int(mintime) * 1000), limit)
        return Reply.json(200, {"stat": "OK", "response": self.stream.events(selection.positions)})


ADMIN_LOG_PAGE = 1000
EPOCH_MS_FLOOR = 100_000_000_000  # an epoch in seconds stays below this until the year 5138
# (action, object kind, weight); the description is the JSON text Duo writes for each kind.
ADMIN_ACTIONS = (
    ("admin_login", "admin", 30),
    ("user_update", "user", 16),
    ("user_create", "user", 8),
    ("phone_create", "phone", 6),
    ("admin_login_error", "none", 6),
    ("admin_2fa_error", "admin", 3),
    ("user_delete", "user", 4),
    ("bypass_create", "user", 3),
    ("integration_update", "integration", 4),
    ("integration_skey_view", "integration", 2),
    ("policy_update", "policy", 3),
    ("admin_create", "admin", 1),
    ("group_update", "group", 2),
)
ADMIN_ACTIONS_CUMULATIVE = cumulative(ADMIN_ACTIONS)
INTEGRATIONS = ("Staff VPN", "Microsoft 365", "GitHub Enterprise", "Admin API - SIEM")
POLICIES = ("Global Policy", "Contractors", "Engineering - strict")
ADMIN_SALT = 0xAD31


class DuoAdministratorEventFactory:
    """Administrator log entries as Duo documents them: action, description (a JSON string),
    isotimestamp, object, timestamp (epoch seconds), username (the administrator's name, "API",
    "System" or "AD Sync: <directory>")."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, ADMIN_SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, ADMIN_SALT, position)
        action, kind, _ = weighted(rng, ADMIN_ACTIONS, ADMIN_ACTIONS_CUMULATIVE)
        admin, user = pick(rng, self._people), pick(rng, self._people)
        ip, _ = random_address(rng)
        actor = admin.name
        if action in ("user_create", "user_update", "user_delete", "group_update") and rng.random() < 0.3:
            actor = "AD Sync: corp.sandbox-corp.example"
        handle = user.email.split("@", 1)[0]
        details: dict[str, Any]
        target: str | None
        if kind == "user":
            target, details = handle, {"realname": user.name, "email": user.email, "status": "active"}
        elif kind == "phone":
            target, details = (
                f"+1503555{rng.randint(0, 9999):04d}",
                {"type": "Mobile", "platform": "Apple iOS"},
            )
        elif kind == "integration":
            target, details = (
                pick(rng, INTEGRATIONS),
                {"type": "Admin API", "integration_key": "DI" + random_hex(rng, 18).upper()},
            )
        elif kind == "policy":
            target, details = pick(rng, POLICIES), {"sections": ["authentication_methods"]}
        elif kind == "group":
            target, details = "Engineering", {"desc": "Synced from directory"}
        elif kind == "admin":
            target, details = (
                admin.email,
                {"ip_address": ip, "factor": pick(rng, ("push", "webauthn", "sms"))},
            )
        else:  # a failed administrator login names no object; the description holds who and from where
            actor, target = "", None
            details = {"ip_address": ip, "error": "Invalid password", "email": admin.email}
        moment = datetime.fromtimestamp(event_ms // 1000, tz=UTC)
        return {
            "action": action,
            "description": json.dumps(details),
            "isotimestamp": moment.isoformat(),
            "object": target,
            "timestamp": event_ms // 1000,
            "username": actor,
        }


# The administrator log's profile is complete but not registered: paging by "mintime = the last
# entry's timestamp" never advances when a full page's entries all share one second (Duo returns the
# same page again), and a last_record source has no rule for a cursor that does not move, so the
# catalogue's contract test (8 events, pages of 3, four late arrivals within one second) pages
# forever. Register it once the pagination can step past, or stop at, a cursor that did not advance
# (see sources/duo-administrator-log.yaml, which is disabled until then).
ADMINISTRATOR_LOG_PROFILE: Profile = (DuoAdministratorLogApi, DuoAdministratorEventFactory)

PROFILES: dict[str, Profile] = {DuoTelephonyLogApi.source_id: (DuoTelephonyLogApi, DuoTelephonyEventFactory)}
