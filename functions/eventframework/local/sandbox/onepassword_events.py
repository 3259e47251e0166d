"""1Password Events API sign-in attempt items, shaped as the 1Password Events API documents them."""

from __future__ import annotations

import random
from itertools import accumulate
from typing import Any

from eventframework.local.sandbox.generate import (
    BASE32_ALPHABET,
    event_rng,
    make_people,
    pick,
    random_address,
    random_token,
    rfc3339_micros,
)
from eventframework.local.sandbox.pools import AGENTS, PLACES

SALT = 0x1FA5

# (category, type, weight): the documented outcome pairs, successes dominating as in real accounts.
OUTCOMES: tuple[tuple[str, str, int], ...] = (
    ("success", "credentials_ok", 60),
    ("success", "mfa_ok", 20),
    ("credentials_failed", "password_secret_bad", 8),
    ("mfa_failed", "mfa_missing", 3),
    ("mfa_failed", "totp_bad", 2),
    ("mfa_failed", "duo_failed", 1),
    ("firewall_failed", "country_blocked", 2),
    ("firewall_failed", "ip_blocked", 1),
    ("firewall_reported_success", "country_allowed", 1),
    ("modern_version_failed", "unsupported_client", 1),
    ("sso_failed", "sso_failed", 1),
)
CUMULATIVE = list(accumulate(weight for _, _, weight in OUTCOMES))

APPS: tuple[tuple[str, str], ...] = (
    ("1Password for Mac", "81042006"),
    ("1Password for Windows", "81042008"),
    ("1Password for Web", "1748"),
    ("1Password for iOS", "81042009"),
    ("1Password CLI", "2300101"),
)


class OnePasswordEventFactory:
    """Callable (position, event_ms) -> sign-in attempt dict for one seed."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)
        self._account_uuid = random_token(event_rng(seed, SALT, -1), 26, BASE32_ALPHABET)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        category, attempt_type, _ = rng.choices(OUTCOMES, cum_weights=CUMULATIVE)[0]
        person = pick(rng, self._people)
        place = pick(rng, PLACES)
        item: dict[str, Any] = {
            "uuid": random_token(rng, 26, BASE32_ALPHABET),
            "session_uuid": random_token(rng, 26, BASE32_ALPHABET),
            "timestamp": rfc3339_micros(event_ms, rng.randint(0, 999)),
            "category": category,
            "type": attempt_type,
            "country": place.country_code,
            # v2 (1Password Events API 1.4.0): UserV2 with user_type and user_account_uuid, and the
            # item's account_uuid.
            "target_user": {
                "uuid": person.op_uuid,
                "name": person.name,
                "email": person.email,
                "user_type": "user",
                "user_account_uuid": self._account_uuid,
            },
            "client": _client(rng),
            "location": {
                "country": place.country_code,
                "region": place.state,
                "city": place.city,
                "latitude": place.lat,
                "longitude": place.lon,
            },
        }
        if category.startswith("firewall"):
            item["details"] = {"value": place.country_code}
        item["account_uuid"] = self._account_uuid
        return item


def _client(rng: random.Random) -> dict[str, Any]:
    app_name, app_version = pick(rng, APPS)
    agent = pick(rng, AGENTS)
    ip, _ = random_address(rng)
    return {
        "app_name": app_name,
        "app_version": app_version,
        "platform_name": agent.browser.title().replace("_", " "),
        "platform_version": agent.browser_version,
        "os_name": agent.os_name,
        "os_version": agent.os_version,
        "ip_address": ip,
    }
