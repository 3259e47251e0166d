"""1Password Events API v2 beyond sign-in attempts: audit events (`POST /api/v2/auditevents`, the
token's `auditevents` feature) and item usages (`POST /api/v2/itemusages`, the `itemusages` feature).

Both endpoints page exactly as sign-in attempts do, so the APIs subclass `OnePasswordSignInApi`: a
first request with a reset cursor (`limit` 1-1000, `start_time`, optional `end_time`, RFC 3339),
then `{"cursor": ...}`; every reply carries `cursor` and `has_more`; errors are
`{"Error": {"Message": ...}}`. On top of the sign-in endpoint, the reset cursor's times are held to
RFC 3339 as the reference documents them (a date alone or a time without a zone is a 400 here).

References: https://www.1password.dev/events-api/reference/audit-events and
https://www.1password.dev/events-api/reference/items-usage; item usage actions:
https://developer.1password.com/docs/events-api/item-usage-actions.
"""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

from eventframework.local.sandbox.api import BadRequest, Profile
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import (
    BASE32_ALPHABET,
    Person,
    event_rng,
    make_people,
    pick,
    random_address,
    random_token,
    rfc3339_micros,
)
from eventframework.local.sandbox.onepassword_api import OnePasswordSignInApi
from eventframework.local.sandbox.onepassword_events import APPS
from eventframework.local.sandbox.pools import AGENTS, PLACES
from eventframework.local.sandbox.stream import Cursor

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


class _OnePasswordEventsApi(OnePasswordSignInApi):
    """A v2 Events API endpoint paged like sign-in attempts, with RFC 3339 reset-cursor times."""

    def _cursor(self, document: dict[str, Any], now: float) -> Cursor:
        if "cursor" not in document:
            for name in ("start_time", "end_time"):
                value = document.get(name)
                if value is not None and not (isinstance(value, str) and _RFC3339.fullmatch(value)):
                    raise BadRequest(name, f"must be an RFC 3339 date-time, got {value!r}")
        return super()._cursor(document, now)


class OnePasswordAuditEventsApi(_OnePasswordEventsApi):
    source_id: ClassVar[str] = "onepassword-audit-events"
    path: ClassVar[str] = "/api/v2/auditevents"


class OnePasswordItemUsagesApi(_OnePasswordEventsApi):
    source_id: ClassVar[str] = "onepassword-item-usages"
    path: ClassVar[str] = "/api/v2/itemusages"


class _OnePasswordFactory:
    """The account's people and UUIDs for one seed; 26-character base32 UUIDs as 1Password's."""

    salt: ClassVar[int]

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        self._account_uuid = random_token(event_rng(seed, self.salt, -1), 26, BASE32_ALPHABET)

    def begin(self, position: int) -> tuple[random.Random, Person]:
        rng = event_rng(self._seed, self.salt, position)
        return rng, pick(rng, self._people)

    def user(self, person: Person) -> dict[str, Any]:
        return {
            "uuid": person.op_uuid,
            "name": person.name,
            "email": person.email,
            "user_type": "user",
            "user_account_uuid": self._account_uuid,
        }


def _location(rng: random.Random) -> dict[str, Any]:
    place = pick(rng, PLACES)
    return {
        "country": place.country_code,
        "region": place.state,
        "city": place.city,
        "latitude": place.lat,
        "longitude": place.lon,
    }


def _uuid(rng: random.Random) -> str:
    return random_token(rng, 26, BASE32_ALPHABET)


# (action, object_type, weight): v2 audit event codes as the Activity Log records them, e.g. a user
# joining a group (join/gm), vault access granted (grant/uva), a user suspended (suspend/user), Duo
# turned off (disblduo/mfa), firewall rules changed (updatfw/account).
AUDIT_ACTIONS: tuple[tuple[str, str, int], ...] = (
    ("create", "vault", 10),
    ("update", "item", 14),
    ("join", "gm", 12),
    ("grant", "uva", 12),
    ("revoke", "uva", 6),
    ("create", "invite", 8),
    ("update", "user", 8),
    ("delete", "vault", 3),
    ("suspend", "user", 3),
    ("reactivate", "user", 2),
    ("updatfw", "account", 2),
    ("disblduo", "mfa", 1),
    ("dlgsess", "dlgsess", 4),
)
AUDIT_CUMULATIVE = cumulative(AUDIT_ACTIONS)


class OnePasswordAuditEventFactory(_OnePasswordFactory):
    """Audit event items (AuditEventV2) with actor, object, aux and session, as the reference."""

    salt = 0x1FAE

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, actor = self.begin(position)
        action, object_type, _ = weighted(rng, AUDIT_ACTIONS, AUDIT_CUMULATIVE)
        ip, _ = random_address(rng)
        moment = rfc3339_micros(event_ms, rng.randint(0, 999))
        item: dict[str, Any] = {
            "uuid": _uuid(rng),
            "timestamp": moment,
            "actor_uuid": actor.op_uuid,
            "actor_details": self.user(actor),
            "actor_type": "user",
            "actor_account_uuid": self._account_uuid,
            "account_uuid": self._account_uuid,
            "action": action,
            "object_type": object_type,
            "object_uuid": _uuid(rng),
        }
        # aux_* are listed on every event (zero values when the action has no auxiliary data);
        # object_details and aux_details only where that party is a team member.
        item |= {"aux_id": 0, "aux_uuid": "", "aux_info": ""}
        target = pick(rng, self._people)
        if object_type == "user":
            item["object_uuid"] = target.op_uuid
            item["object_details"] = self.user(target)
        elif object_type in ("gm", "uva"):
            item |= {"aux_id": rng.randint(1000, 9_999_999), "aux_uuid": target.op_uuid}
            item["aux_details"] = self.user(target)
            if object_type == "uva":
                item["aux_info"] = pick(rng, ("A", "R", "W"))  # the vault access granted
        item["session"] = {
            "uuid": _uuid(rng),
            "login_time": rfc3339_micros(event_ms - rng.randint(60_000, 8 * 3600_000), 0),
            "device_uuid": _uuid(rng),
            "ip": ip,
        }
        item["location"] = _location(rng)
        return item


# (action, weight): the documented item usage actions.
ITEM_ACTIONS: tuple[tuple[str, int], ...] = (
    ("fill", 35),
    ("secure-copy", 25),
    ("reveal", 15),
    ("server-fetch", 8),
    ("enter-item-edit-mode", 5),
    ("server-update", 4),
    ("server-create", 3),
    ("select-sso-provider", 2),
    ("share", 1),
    ("export", 1),
    ("other", 1),
)
ITEM_CUMULATIVE = cumulative(ITEM_ACTIONS)


class OnePasswordItemUsageEventFactory(_OnePasswordFactory):
    """Item usage items (ItemUsageV2): vault, item, version, action, user, client, location."""

    salt = 0x1F17

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        vault_rng = event_rng(seed, self.salt, -2)
        self._vaults = tuple(_uuid(vault_rng) for _ in range(6))

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        action, _ = weighted(rng, ITEM_ACTIONS, ITEM_CUMULATIVE)
        app_name, app_version = pick(rng, APPS)
        agent = pick(rng, AGENTS)
        ip, _ = random_address(rng)
        return {
            "uuid": _uuid(rng),
            "timestamp": rfc3339_micros(event_ms, rng.randint(0, 999)),
            "used_version": rng.randint(1, 40),
            "vault_uuid": pick(rng, self._vaults),
            "item_uuid": _uuid(rng),
            "action": action,
            "user": self.user(person),
            "client": {
                "app_name": app_name,
                "app_version": app_version,
                "platform_name": agent.browser.title(),
                "platform_version": agent.browser_version,
                "os_name": agent.os_name,
                "os_version": agent.os_version,
                "ip_address": ip,
            },
            "location": _location(rng),
            "account_uuid": self._account_uuid,
        }


PROFILES: dict[str, Profile] = {
    OnePasswordAuditEventsApi.source_id: (OnePasswordAuditEventsApi, OnePasswordAuditEventFactory),
    OnePasswordItemUsagesApi.source_id: (OnePasswordItemUsagesApi, OnePasswordItemUsageEventFactory),
}
