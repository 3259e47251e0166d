"""Sandbox profile of Duo's Admin API activity log (v2).

`GET /admin/v2/logs/activity` is signed and windowed like the authentication and telephony logs
(HMAC-SHA1 over Date, method, host, path and sorted parameters; `mintime`/`maxtime` in epoch
milliseconds on every page; `limit` at most 1000; `sort` ts:asc or ts:desc), so the API subclasses
`DuoItemsLogApi` of vendors/duo_logs.py (telephony), for its signature check, paging and error bodies.
Its page is the telephony log's: the entries in `response.items`, and `response.metadata.next_offset`
one string, "<ts in ms>,<activity_id>" of the last entry (Duo's log-sync tool builds and reads it so,
duosecurity/duo_log_sync, duologsync/producer/producer.py).

The entries follow the shape Duo's SDK documents (duosecurity/duo_client_python, admin.py,
`get_activity_logs`) with `action` an object {name, details} and `outcome` {result}, as the endpoint
sends them today: `access_device` (browser, ip.address, location, os), `activity_id`, `actor`
(details as a JSON string, key, name, type), `akey`, `application`, `target`, `old_target`, `ts`
(ISO 8601 with microseconds and +00:00).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import Profile
from eventframework.local.sandbox.catalogue_events import DUO_POSITION_HEX, cumulative, weighted
from eventframework.local.sandbox.generate import (
    Person,
    event_rng,
    make_people,
    pick,
    random_address,
    random_hex,
)
from eventframework.local.sandbox.pools import AGENTS, PLACES
from eventframework.local.sandbox.vendors.duo_logs import DuoItemsLogApi

SALT = 0xD0AC
KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
APPLICATIONS = (
    ("DIY231J8BR23QK4UKBY8", "Okta SSO", "okta"),
    ("DILSVDEYH66TBHKIXGR9", "Staff Portal", "websdk"),
    ("DIF947T2MN58HZ1DPWRC", "VPN", "radius"),
)
# (action, actor type, target type, outcome, weight): self-service enrollment dominates; admins
# create bypass codes and change users, policies and integrations; failures are rare.
ACTIVITIES = (
    ("phone_create", "user", "phone", "SUCCESS", 22),
    ("webauthncredential_create", "user", "webauthn_credential", "SUCCESS", 14),
    ("webauthncredential_create", "user", "webauthn_credential", "FAILURE", 4),
    ("user_update", "admin", "user", "SUCCESS", 14),
    ("phone_delete", "user", "phone", "SUCCESS", 6),
    ("bypass_create", "admin", "user_bypass", "SUCCESS", 6),
    ("user_create", "adminapi", "user", "SUCCESS", 10),
    ("group_update", "admin", "group", "SUCCESS", 6),
    ("policy_update", "admin", "policy", "SUCCESS", 4),
    ("integration_update", "admin", "integration", "SUCCESS", 3),
    ("admin_create", "admin", "admin", "SUCCESS", 2),
    ("user_delete", "admin", "user", "SUCCESS", 3),
)
_WEIGHTS = cumulative(ACTIVITIES)


class DuoActivityLogApi(DuoItemsLogApi):
    """`GET /admin/v2/logs/activity`, items keyed by `activity_id`."""

    source_id: ClassVar[str] = "duo-activity-log"
    path: ClassVar[str] = "/admin/v2/logs/activity"
    id_field: ClassVar[str] = "activity_id"


def _key(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice(KEY_ALPHABET) for _ in range(18))


def _user_details(rng: random.Random, person: Person) -> str:
    """Duo sends an actor's or target's details as one JSON string."""
    details = {
        "created": "2023-02-01T10:00:00.000000+00:00",
        "last_login": f"2024-08-{rng.randint(1, 13):02d}T0{rng.randint(0, 9)}:15:00.000000+00:00",
        "email": person.email,
        "status": "Active",
        "groups": [{"name": pick(rng, ("Engineering", "Finance", "IT")), "key": _key(rng, "DG")}],
    }
    return json.dumps(details)


class DuoActivityEventFactory:
    """Activity log v2 entries; the activity_id's last group carries the stream position."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        person, other = pick(rng, self._people), pick(rng, self._people)
        action, actor_type, target_type, outcome, _ = weighted(rng, ACTIVITIES, _WEIGHTS)
        ip, _ = random_address(rng)
        place, agent = pick(rng, PLACES), pick(rng, AGENTS)
        actor = person if actor_type == "user" else other
        app_key, app_name, app_type = pick(rng, APPLICATIONS)
        handle = person.email.split("@", 1)[0]
        target: dict[str, Any] = {
            "details": json.dumps({"name": handle}) if target_type != "user" else _user_details(rng, person),
            "key": _key(rng, "DU" if target_type == "user" else "DP"),
            "name": handle if target_type in ("user", "user_bypass") else _key(rng, "WA"),
            "type": target_type,
        }
        return {
            "access_device": {
                "browser": agent.browser,
                "browser_version": agent.browser_version,
                "ip": {"address": ip},
                "location": {"city": place.city, "country": place.country, "state": place.state},
                "os": agent.os_name,
                "os_version": agent.os_version,
            },
            "action": {"details": None, "name": action},
            "activity_id": f"{random_hex(rng, 8)}-{random_hex(rng, 4)}-4{random_hex(rng, 3)}-"
            f"a{random_hex(rng, 3)}-{position:0{DUO_POSITION_HEX}x}",
            "actor": {
                "details": _user_details(rng, actor),
                "key": _key(rng, "DU" if actor_type == "user" else "DE"),
                "name": actor.email.split("@", 1)[0]
                if actor_type != "adminapi"
                else "Provisioning (Admin API)",
                "type": actor_type,
            },
            "akey": "DA0STO6EVV8EAONUD8P7",
            "application": {"key": app_key, "name": app_name, "type": app_type}
            if actor_type == "user"
            else None,
            "old_target": None,
            "outcome": {"result": outcome},
            "target": target,
            "ts": datetime.fromtimestamp(event_ms / 1000, tz=UTC).isoformat(timespec="microseconds"),
        }


PROFILES: dict[str, Profile] = {DuoActivityLogApi.source_id: (DuoActivityLogApi, DuoActivityEventFactory)}
