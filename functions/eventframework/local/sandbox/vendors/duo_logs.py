"""Sandbox profile of Duo's Admin API logs beyond authentication: the telephony log v2.

`GET /admin/v2/logs/telephony` is signed and windowed exactly like the authentication log v2
(HMAC-SHA1, `mintime`/`maxtime` in epoch milliseconds on every page, `limit` at most 1000), so the
API reuses `DuoAuthLogApi`'s signature check and error bodies. Its page differs: the entries are in
`response.items`, and `metadata.next_offset` is one string, "<ts in ms>,<telephony_id>" of the last
entry (the authentication log sends a [ts, txid] list).

The administrator log (`GET /admin/v1/logs/administrator`) has no profile: its entries carry no
unique id and it pages only by a new `mintime` taken from the last entry, neither of which a source
definition can express (see the report that came with sources/duo-telephony-log.yaml).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Reply
from eventframework.local.sandbox.catalogue_api import limit_param, require_param
from eventframework.local.sandbox.catalogue_events import DUO_POSITION_HEX, duo_position
from eventframework.local.sandbox.generate import event_rng, pick, random_hex, random_uuid
from eventframework.local.sandbox.oldest_first_apis import DuoAuthLogApi
from eventframework.local.sandbox.vendors import Profile

SORTS = ("ts:asc", "ts:desc")


class DuoTelephonyLogApi(DuoAuthLogApi):
    """`GET /admin/v2/logs/telephony`: `mintime`/`maxtime` (epoch ms) required on every page,
    `limit` clamped to 1000, `sort` ts:asc or ts:desc (the sandbox serves ts:asc only, what a
    checkpointing client asks for), continued by `next_offset` = "<ts ms>,<telephony_id>"."""

    source_id: ClassVar[str] = "duo-telephony-log"
    path: ClassVar[str] = "/admin/v2/logs/telephony"

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
            stamp, _, telephony_id = query["next_offset"].partition(",")
            position = duo_position(telephony_id)
            if not stamp.isdigit() or position is None:
                raise BadRequest("next_offset", "must be the next_offset of a previous page")
            start = position + 1
        else:
            start = self.stream.first_ingested_at_or_after(mintime)
        selection = self.stream.select(start, limit, maxtime + 1)
        items = self.stream.events(selection.positions)
        more = bool(items) and bool(self.stream.select(selection.next_position, 1, maxtime + 1).positions)
        offset = f"{_epoch_ms_of(items[-1]['ts'])},{items[-1]['telephony_id']}" if more else None
        metadata = {"next_offset": offset, "total_objects": {"value": len(items), "relation": "gte"}}
        return Reply.json(200, {"stat": "OK", "response": {"items": items, "metadata": metadata}})


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


PROFILES: dict[str, Profile] = {DuoTelephonyLogApi.source_id: (DuoTelephonyLogApi, DuoTelephonyEventFactory)}
