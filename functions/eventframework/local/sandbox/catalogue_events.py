"""Generated events of the catalogue's vendors, shaped as each vendor documents its log entries.

Every factory is a callable (position, event_ms) -> event, deterministic in (seed, position), with
the organisation's people, public addresses, places and user agents from `generate` and `pools`.
Where an API continues from an event id (Auth0 `from`, Duo `next_offset`), the id carries the
stream position in its last digits so the API can find its place without an index.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, TypeVar

from eventframework.local.sandbox.generate import (
    ORG_DOMAIN,
    Person,
    event_rng,
    iso_millis,
    make_people,
    pick,
    random_address,
    random_hex,
    random_token,
    random_uuid,
)
from eventframework.local.sandbox.pools import AGENTS, PLACES

ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
AUTH0_POSITION_DIGITS = 30
DUO_POSITION_HEX = 12


def auth0_position(log_id: str) -> int | None:
    tail = log_id[-AUTH0_POSITION_DIGITS:]
    return int(tail) if len(log_id) > AUTH0_POSITION_DIGITS and tail.isdigit() else None


def duo_position(txid: str) -> int | None:
    try:
        return int(txid.rsplit("-", 1)[1], 16)
    except (IndexError, ValueError):
        return None


class _Factory:
    """Per-seed people and the per-event generator shared by every vendor factory."""

    salt: int = 0

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)

    def begin(self, position: int) -> tuple[random.Random, Person]:
        rng = event_rng(self._seed, self.salt, position)
        return rng, pick(rng, self._people)


T = TypeVar("T", bound=tuple[Any, ...])


def weighted(rng: random.Random, table: Sequence[T], cum_weights: list[int]) -> T:
    """A row of `table` by its last column's weight (cumulative weights computed once per table)."""
    return rng.choices(table, cum_weights=cum_weights)[0]


def cumulative(table: Sequence[tuple[Any, ...]]) -> list[int]:
    return list(accumulate(int(row[-1]) for row in table))


def _user(person: Person) -> str:
    return person.email.split("@", 1)[0]


AUTH0_TYPES = (
    ("s", "Successful login", 70),
    ("fp", "Wrong email or password.", 15),
    ("ss", "Successful signup", 5),
    ("fu", "Invalid email or username", 5),
    ("limit_wc", "Blocked account", 2),
    ("seacft", "Authorization Code for Access Token", 3),
)
AUTH0_TYPES_CUMULATIVE = cumulative(AUTH0_TYPES)


class Auth0EventFactory(_Factory):
    salt = 0xA0A0

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        kind, description, _ = weighted(rng, AUTH0_TYPES, AUTH0_TYPES_CUMULATIVE)
        ip, _ = random_address(rng)
        place, agent = pick(rng, PLACES), pick(rng, AGENTS)
        return {
            "date": iso_millis(event_ms),
            "type": kind,
            "description": description,
            "connection": "Username-Password-Authentication",
            "client_id": "kT2pQ9xV7mN4bR8sZ1cW",
            "client_name": "Staff Portal",
            "ip": ip,
            "user_agent": f"{agent.browser} {agent.browser_version} / {agent.os_name} {agent.os_version}",
            "hostname": "sandbox-corp.eu.auth0.com",
            "user_id": f"auth0|{random_hex(rng, 24)}",
            "user_name": person.email,
            "strategy": "auth0",
            "strategy_type": "database",
            "isMobile": False,
            "log_id": f"900{event_ms:017d}{position:0{AUTH0_POSITION_DIGITS}d}",
            "location_info": {"country_code": place.country_code, "city_name": place.city},
        }


DUO_RESULTS = (
    ("success", "user_approved", 80),
    ("denied", "locked_out", 3),
    ("failure", "no_response", 12),
    ("denied", "deny_unenrolled_user", 4),
    ("fraud", "user_marked_fraud", 1),
)
DUO_RESULTS_CUMULATIVE = cumulative(DUO_RESULTS)


class DuoEventFactory(_Factory):
    salt = 0xD0D0

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        result, reason, _ = weighted(rng, DUO_RESULTS, DUO_RESULTS_CUMULATIVE)
        ip, _ = random_address(rng)
        place, agent = pick(rng, PLACES), pick(rng, AGENTS)
        location = {"city": place.city, "country": place.country, "state": place.state}
        moment = datetime.fromtimestamp(event_ms / 1000, tz=UTC)
        return {
            "access_device": {
                "browser": agent.browser,
                "browser_version": agent.browser_version,
                "hostname": None,
                "ip": ip,
                "location": location,
                "os": agent.os_name,
                "os_version": agent.os_version,
            },
            "alias": "",
            "application": {"key": "DIY231J8BR23QK4UKBY8", "name": "Staff VPN"},
            "auth_device": {
                "ip": None,
                "key": "DP" + random_token(rng, 18, ID_ALPHABET[:36]).upper(),
                "location": location,
                "name": "iPhone",
            },
            "email": person.email,
            "event_type": "authentication",
            "factor": pick(rng, ("duo_push", "passcode", "phone_call", "webauthn_credential")),
            "isotimestamp": moment.isoformat(timespec="microseconds"),
            "ood_software": None,
            "reason": reason,
            "result": result,
            "timestamp": event_ms // 1000,
            "txid": f"{random_hex(rng, 8)}-{random_hex(rng, 4)}-4{random_hex(rng, 3)}-a{random_hex(rng, 3)}-"
            f"{position:0{DUO_POSITION_HEX}x}",
            "user": {
                "groups": ["Engineering"],
                "key": "DU" + random_hex(rng, 18).upper(),
                "name": _user(person),
            },
        }


GOOGLE_EVENTS = (
    ("login", "login_success", 80),
    ("login", "login_failure", 10),
    ("login", "logout", 6),
    ("login", "login_challenge", 3),
    ("account_warning", "suspicious_login", 1),
)
GOOGLE_EVENTS_CUMULATIVE = cumulative(GOOGLE_EVENTS)


class GoogleLoginEventFactory(_Factory):
    salt = 0x6006

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        kind, name, _ = weighted(rng, GOOGLE_EVENTS, GOOGLE_EVENTS_CUMULATIVE)
        ip, _ = random_address(rng)
        return {
            "kind": "admin#reports#activity",
            "id": {
                "time": iso_millis(event_ms),
                "uniqueQualifier": str(rng.getrandbits(63) - (1 << 62)),
                "applicationName": "login",
                "customerId": "C03az79cb",
            },
            "etag": f'"{random_token(rng, 12, ID_ALPHABET)}"',
            "actor": {"callerType": "USER", "email": person.email, "profileId": str(rng.getrandbits(64))},
            "ipAddress": ip,
            "events": [
                {
                    "type": kind,
                    "name": name,
                    "parameters": [{"name": "login_type", "value": "google_password"}],
                }
            ],
        }


GITHUB_ACTIONS = (
    "repo.create",
    "team.add_member",
    "org.add_member",
    "repo.access",
    "protected_branch.destroy",
    "hook.create",
    "org.update_member",
    "repo.destroy",
)


class GitHubAuditEventFactory(_Factory):
    salt = 0x6170

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        ip, _ = random_address(rng)
        place, agent = pick(rng, PLACES), pick(rng, AGENTS)
        return {
            "@timestamp": event_ms,
            "_document_id": random_token(rng, 22, ID_ALPHABET),
            "action": pick(rng, GITHUB_ACTIONS),
            "actor": _user(person).replace(".", "-"),
            "actor_id": rng.randint(1000, 99999),
            "actor_ip": ip,
            "actor_location": {"country_code": place.country_code},
            "created_at": event_ms,
            "operation_type": pick(rng, ("create", "modify", "remove", "access")),
            "org": "sandbox-corp",
            "org_id": 9001,
            "repo": f"sandbox-corp/{pick(rng, ('payments', 'web', 'infra', 'docs'))}",
            "user_agent": agent.raw,
        }


SLACK_ACTIONS = (
    "user_login",
    "user_logout",
    "user_login_failed",
    "file_downloaded",
    "user_channel_join",
    "file_public_link_created",
    "role_change_to_admin",
)


class SlackAuditEventFactory(_Factory):
    salt = 0x51AC

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        ip, _ = random_address(rng)
        user = {
            "id": "W" + random_token(rng, 8, ID_ALPHABET[:36]).upper(),
            "name": person.name,
            "email": person.email,
        }
        return {
            "id": random_uuid(rng),
            "date_create": event_ms // 1000,
            "action": pick(rng, SLACK_ACTIONS),
            "actor": {"type": "user", "user": user},
            "entity": {"type": "user", "user": user},
            "context": {
                "location": {
                    "type": "enterprise",
                    "id": "E1701NCCA",
                    "name": "Sandbox Corp",
                    "domain": ORG_DOMAIN.split(".", 1)[0],
                },
                "ua": pick(rng, AGENTS).raw,
                "ip_address": ip,
                "session_id": str(rng.getrandbits(40)),
            },
        }


GRAPH_OUTCOMES = (
    (0, None, "none", 85),
    (50126, "Invalid username or password.", "none", 9),
    (53003, "Access has been blocked by Conditional Access policies.", "medium", 4),
    (50053, "Account is locked.", "high", 2),
)
GRAPH_OUTCOMES_CUMULATIVE = cumulative(GRAPH_OUTCOMES)


class GraphSignInEventFactory(_Factory):
    salt = 0x6A9F

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        code, reason, risk, _ = weighted(rng, GRAPH_OUTCOMES, GRAPH_OUTCOMES_CUMULATIVE)
        ip, _ = random_address(rng)
        place, agent = pick(rng, PLACES), pick(rng, AGENTS)
        moment = datetime.fromtimestamp(event_ms // 1000, tz=UTC)
        return {
            "id": random_uuid(rng),
            "createdDateTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "userDisplayName": person.name,
            "userPrincipalName": person.email,
            "userId": random_uuid(rng),
            "appId": "00000002-0000-0ff1-ce00-000000000000",
            "appDisplayName": "Office 365 Exchange Online",
            "ipAddress": ip,
            "clientAppUsed": "Browser",
            "correlationId": random_uuid(rng),
            "conditionalAccessStatus": "failure" if code == 53003 else "success",
            "isInteractive": True,
            "riskLevelDuringSignIn": risk,
            "riskState": "none" if risk == "none" else "atRisk",
            "riskEventTypes_v2": [] if risk == "none" else ["unfamiliarFeatures"],
            "resourceDisplayName": "Office 365 Exchange Online",
            "status": {"errorCode": code, "failureReason": reason, "additionalDetails": None},
            "deviceDetail": {
                "deviceId": "",
                "operatingSystem": f"{agent.os_name} {agent.os_version}",
                "browser": f"{agent.browser} {agent.browser_version}",
            },
            "location": {"city": place.city, "state": place.state, "countryOrRegion": place.country_code},
        }
