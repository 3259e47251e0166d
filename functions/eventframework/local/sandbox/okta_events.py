"""Okta System Log events (LogEvent objects) shaped as Okta documents them, 2-3 KB each."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from eventframework.local.sandbox.generate import (
    OKTA_ID_ALPHABET,
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
from eventframework.local.sandbox.pools import AGENTS, APPLICATIONS, PLACES, Network, Place

SALT = 0x0C7A


@dataclass(frozen=True)
class Kind:
    event_type: str
    message: str
    legacy: str | None
    severity: str
    target_type: str
    failure_reason: str | None
    weight: int


KINDS: tuple[Kind, ...] = (
    Kind("user.session.start", "User login to Okta", "core.user_auth.login_success", "INFO", "User",
         "INVALID_CREDENTIALS", 30),
    Kind("user.authentication.sso", "User single sign on to app", "app.auth.sso", "INFO", "AppInstance",
         None, 25),
    Kind("policy.evaluate_sign_on", "Evaluation of sign-on policy", None, "INFO", "Rule",
         None, 15),
    Kind("user.authentication.auth_via_mfa", "Authentication of user via MFA",
         "core.user.factor.attempt_success", "INFO", "User", "INVALID_CREDENTIALS", 12),
    Kind("app.oauth2.as.token.grant.access_token", "OAuth2 access token is granted", None, "INFO",
         "access_token", None, 8),
    Kind("group.user_membership.add", "Add user to group membership",
         "core.user_group_member.user_add", "INFO", "UserGroup", None, 4),
    Kind("user.account.lock", "Max sign in attempts exceeded", "core.user_auth.account_locked",
         "WARN", "User", "LOCKED_OUT", 3),
    Kind("system.api_token.create", "Create API token", "api.token.create", "INFO", "Token",
         None, 2),
    Kind("user.lifecycle.create", "Create okta user", "core.user.config.user_creation.success",
         "INFO", "User", None, 1),
)  # fmt: skip
CUMULATIVE = list(accumulate(kind.weight for kind in KINDS))


class OktaEventFactory:
    """Callable (position, event_ms) -> LogEvent dict for one seed."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        kind = rng.choices(KINDS, cum_weights=CUMULATIVE)[0]
        actor = pick(rng, self._people)
        place = pick(rng, PLACES)
        ip, network = random_address(rng)
        agent = pick(rng, AGENTS)
        failed = kind.failure_reason is not None and rng.random() < 0.12
        transaction_id = random_token(rng, 27, OKTA_ID_ALPHABET)
        return {
            "actor": {
                "id": actor.okta_id,
                "type": "User",
                "alternateId": actor.email,
                "displayName": actor.name,
                "detailEntry": None,
            },
            "client": {
                "userAgent": {"rawUserAgent": agent.raw, "os": agent.os_name, "browser": agent.browser},
                "zone": "null",
                "device": "Mobile" if agent.os_name == "iOS" else "Computer",
                "id": None,
                "ipAddress": ip,
                "geographicalContext": _geo(place),
            },
            "device": None,
            "authenticationContext": _authentication(rng),
            "displayMessage": kind.message,
            "eventType": kind.event_type,
            "outcome": {
                "result": "FAILURE" if failed else "SUCCESS",
                "reason": kind.failure_reason if failed else None,
            },
            "published": iso_millis(event_ms),
            "securityContext": _security(network, rng),
            "severity": kind.severity,
            "debugContext": {"debugData": _debug_data(rng, kind, place, transaction_id)},
            "legacyEventType": kind.legacy,
            "transaction": {"type": "WEB", "id": transaction_id, "detail": {}},
            "uuid": random_uuid(rng),
            "version": "0",
            "request": {"ipChain": [_ip_hop(ip, place)]},
            "target": _targets(rng, kind, actor),
        }


def _geo(place: Place) -> dict[str, Any]:
    return {
        "city": place.city,
        "state": place.state,
        "country": place.country,
        "postalCode": place.postal_code,
        "geolocation": {"lat": place.lat, "lon": place.lon},
    }


def _ip_hop(ip: str, place: Place) -> dict[str, Any]:
    return {"ip": ip, "geographicalContext": _geo(place), "version": "V4", "source": None}


def _authentication(rng: random.Random) -> dict[str, Any]:
    return {
        "authenticationProvider": pick(rng, ["OKTA_AUTHENTICATION_PROVIDER", "FACTOR_PROVIDER"]),
        "credentialProvider": pick(rng, [None, "OKTA_CREDENTIAL_PROVIDER"]),
        "credentialType": pick(rng, [None, "PASSWORD", "OTP", "ASSERTION"]),
        "issuer": None,
        "interface": None,
        "authenticationStep": 0,
        "externalSessionId": "102" + random_token(rng, 22, OKTA_ID_ALPHABET),
    }


def _security(network: Network, rng: random.Random) -> dict[str, Any]:
    return {
        "asNumber": network.as_number,
        "asOrg": network.as_org,
        "isp": network.isp,
        "domain": network.domain,
        "isProxy": rng.random() < 0.02,
    }


def _debug_data(rng: random.Random, kind: Kind, place: Place, request_id: str) -> dict[str, Any]:
    new_geo = pick(rng, ["POSITIVE", "NEGATIVE"])
    new_device = pick(rng, ["POSITIVE", "NEGATIVE"])
    return {
        "requestId": request_id,
        "requestUri": "/idp/idx/authenticators/poll" if "mfa" in kind.event_type else "/api/v1/authn",
        "url": f"/api/v1/authn?{random_token(rng, 12, OKTA_ID_ALPHABET)}",
        "dtHash": random_hex(rng, 64),
        "threatSuspected": "false",
        "risk": "{reasons=Anomalous Location, level=LOW}" if new_geo == "POSITIVE" else "{level=LOW}",
        "behaviors": (
            f"{{New Geo-Location={new_geo}, New Device={new_device}, New IP={new_geo}, "
            f"New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City={new_geo}}}"
        ),
        "logOnlySecurityData": (
            f'{{"risk":{{"level":"LOW"}},"behaviors":{{"New Geo-Location":"{new_geo}",'
            f'"New Device":"{new_device}","New IP":"{new_geo}","New City":"{new_geo}"}}}}'
        ),
        "authnRequestId": random_token(rng, 27, OKTA_ID_ALPHABET),
        "deviceFingerprint": random_hex(rng, 32),
        "origin": f"https://{ORG_DOMAIN.split('.')[0]}.okta.example",
        "city": place.city,
    }


def _targets(rng: random.Random, kind: Kind, actor: Person) -> list[dict[str, Any]]:
    if kind.target_type == "User":
        return [_target(actor.okta_id, "User", actor.email, actor.name)]
    app = pick(rng, APPLICATIONS)
    app_id = "0oa" + random_token(rng, 17, OKTA_ID_ALPHABET)
    if kind.target_type == "AppInstance":
        user = _target(actor.okta_id, "AppUser", actor.email, actor.name)
        return [_target(app_id, "AppInstance", app, app), user]
    object_id = random_token(rng, 20, OKTA_ID_ALPHABET)
    return [_target(object_id, kind.target_type, f"{app} {kind.target_type}", kind.target_type)]


def _target(target_id: str, target_type: str, alternate: str, display: str) -> dict[str, Any]:
    return {
        "id": target_id,
        "type": target_type,
        "alternateId": alternate,
        "displayName": display,
        "detailEntry": None,
    }
