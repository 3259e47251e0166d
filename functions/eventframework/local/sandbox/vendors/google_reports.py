"""Sandbox profiles of the Google Workspace Admin SDK Reports API beyond login: activities.list for the
admin, drive, token, saml and groups applications.

Every application is the same endpoint with another ``applicationName`` in the path
(``GET /admin/reports/v1/activity/users/all/applications/<app>``), so the API classes only rename the
login API (`GoogleLoginActivitiesApi`): the same JWT-bearer token endpoint and service-account key,
the same required RFC 3339 ``startTime``, ``maxResults`` clamped at 1000, ``nextPageToken`` newest
first and Google's error document. Only the token endpoint's path differs per source (``/token/<app>``,
the key file's ``token_uri``): the sandbox serves every source on one host and each API holds its own
service-account key, so one shared ``/token`` would answer with another source's key.

The factories make each application's Activity resources with the event types, names and parameters
of the Reports API's activity event reference pages
(https://developers.google.com/workspace/admin/reports/v1/appendix/activity/<app>): parameters carry
``value``, ``boolValue``, ``intValue`` (int64 as text) or ``multiValue`` as the Activity resource does.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any, ClassVar

from eventframework.local.sandbox.api import Profile
from eventframework.local.sandbox.generate import (
    ORG_DOMAIN,
    Person,
    event_rng,
    iso_millis,
    make_people,
    pick,
    random_address,
    random_token,
)
from eventframework.local.sandbox.newest_first_apis import GoogleLoginActivitiesApi

CUSTOMER_ID = "C03az79cb"
ETAG_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
Parameter = dict[str, Any]
# (type, name, weight, parameters of (rng, actor, other person) -> list)
EventRow = tuple[str, str, int, Callable[[random.Random, Person, Person], list[Parameter]]]


def _path(application: str) -> str:
    return f"/admin/reports/v1/activity/users/all/applications/{application}"


class GoogleAdminActivitiesApi(GoogleLoginActivitiesApi):
    source_id: ClassVar[str] = "google-workspace-admin"
    path: ClassVar[str] = _path("admin")
    token_path: ClassVar[str] = "/token/admin"


class GoogleDriveActivitiesApi(GoogleLoginActivitiesApi):
    source_id: ClassVar[str] = "google-workspace-drive"
    path: ClassVar[str] = _path("drive")
    token_path: ClassVar[str] = "/token/drive"


class GoogleTokenActivitiesApi(GoogleLoginActivitiesApi):
    source_id: ClassVar[str] = "google-workspace-token"
    path: ClassVar[str] = _path("token")
    token_path: ClassVar[str] = "/token/token"


class GoogleSamlActivitiesApi(GoogleLoginActivitiesApi):
    source_id: ClassVar[str] = "google-workspace-saml"
    path: ClassVar[str] = _path("saml")
    token_path: ClassVar[str] = "/token/saml"


class GoogleGroupsActivitiesApi(GoogleLoginActivitiesApi):
    source_id: ClassVar[str] = "google-workspace-groups"
    path: ClassVar[str] = _path("groups")
    token_path: ClassVar[str] = "/token/groups"


def _value(name: str, value: str) -> Parameter:
    return {"name": name, "value": value}


def _flag(name: str, value: bool) -> Parameter:
    return {"name": name, "boolValue": value}


def _many(name: str, values: Sequence[str]) -> Parameter:
    return {"name": name, "multiValue": list(values)}


class _ActivityFactory:
    """Activities of one application: actor, address, id and time shared, the event drawn by weight."""

    salt: ClassVar[int]
    application: ClassVar[str]
    table: ClassVar[Sequence[EventRow]]
    owner_domain: ClassVar[bool] = True

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, self.salt)
        self._cumulative = list(accumulate(row[2] for row in self.table))

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, self.salt, position)
        actor, other = pick(rng, self._people), pick(rng, self._people)
        kind, name, _, parameters = rng.choices(self.table, cum_weights=self._cumulative)[0]
        ip, _ = random_address(rng)
        activity: dict[str, Any] = {
            "kind": "admin#reports#activity",
            "id": {
                "time": iso_millis(event_ms),
                "uniqueQualifier": str(rng.getrandbits(63) - (1 << 62)),
                "applicationName": self.application,
                "customerId": CUSTOMER_ID,
            },
            "etag": f'"{random_token(rng, 43, ETAG_ALPHABET)}/{random_token(rng, 27, ETAG_ALPHABET)}"',
            "actor": {
                "callerType": "USER",
                "email": actor.email,
                "profileId": str(10**20 + rng.getrandbits(64)),
            },
            "ipAddress": ip,
            "events": [{"type": kind, "name": name, "parameters": parameters(rng, actor, other)}],
        }
        if self.owner_domain:
            activity["ownerDomain"] = ORG_DOMAIN
        return activity


# --- admin: https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-event-names


def _user(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [_value("USER_EMAIL", other.email)]


def _role(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    role = pick(rng, ("_GROUPS_ADMIN_ROLE", "_HELP_DESK_ADMIN_ROLE", "_USER_MANAGEMENT_ADMIN_ROLE"))
    return [_value("ORG_UNIT_NAME", "/"), _value("ROLE_NAME", role), _value("USER_EMAIL", other.email)]


def _application_setting(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    app, setting, old, new = pick(
        rng,
        (
            ("Drive and Docs", "SHARING_OUTSIDE_DOMAIN", "SHARING_NOT_ALLOWED", "SHARING_ALLOWED"),
            ("Gmail", "ENABLE_IMAP_ACCESS", "false", "true"),
            ("Calendar", "SHARING_OUTSIDE_DOMAIN", "FREE_BUSY", "READ_ONLY"),
        ),
    )
    return [
        _value("APPLICATION_EDITION", "business"),
        _value("APPLICATION_NAME", app),
        _value("NEW_VALUE", new),
        _value("OLD_VALUE", old),
        _value("ORG_UNIT_NAME", "sandbox-corp"),
        _value("SETTING_NAME", setting),
    ]


def _group_member(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    group = pick(rng, ("engineering", "finance", "security", "all-staff"))
    return [_value("GROUP_EMAIL", f"{group}@{ORG_DOMAIN}"), _value("USER_EMAIL", other.email)]


def _api_client(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [
        _value("API_CLIENT_NAME", f"{rng.randint(10**20, 10**21 - 1)}"),
        _value("API_SCOPES", "https://www.googleapis.com/auth/admin.reports.audit.readonly"),
    ]


def _strong_auth(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [
        _value("DOMAIN_NAME", ORG_DOMAIN),
        _value("NEW_VALUE", "false"),
        _value("OLD_VALUE", "true"),
        _value("ORG_UNIT_NAME", "sandbox-corp"),
    ]


ADMIN_EVENTS: tuple[EventRow, ...] = (
    ("USER_SETTINGS", "CREATE_USER", 14, _user),
    ("USER_SETTINGS", "CHANGE_PASSWORD", 10, _user),
    ("USER_SETTINGS", "SUSPEND_USER", 4, _user),
    ("USER_SETTINGS", "DELETE_USER", 3, _user),
    ("USER_SETTINGS", "GRANT_ADMIN_PRIVILEGE", 2, _user),
    ("USER_SETTINGS", "REVOKE_ADMIN_PRIVILEGE", 2, _user),
    ("USER_SETTINGS", "TURN_OFF_2_STEP_VERIFICATION", 1, _user),
    ("USER_SETTINGS", "GENERATE_2SV_SCRATCH_CODES", 2, _user),
    ("DELEGATED_ADMIN_SETTINGS", "ASSIGN_ROLE", 2, _role),
    ("APPLICATION_SETTINGS", "CHANGE_APPLICATION_SETTING", 12, _application_setting),
    ("GROUP_SETTINGS", "ADD_GROUP_MEMBER", 12, _group_member),
    ("GROUP_SETTINGS", "REMOVE_GROUP_MEMBER", 6, _group_member),
    ("DOMAIN_SETTINGS", "AUTHORIZE_API_CLIENT_ACCESS", 1, _api_client),
    ("SECURITY_SETTINGS", "ENFORCE_STRONG_AUTHENTICATION", 1, _strong_auth),
)


class GoogleAdminEventFactory(_ActivityFactory):
    salt = 0x6A01
    application = "admin"
    table = ADMIN_EVENTS


# --- drive: https://developers.google.com/workspace/admin/reports/v1/appendix/activity/drive

DOCUMENTS = (
    ("document", "Quarterly plan"),
    ("spreadsheet", "Payroll 2024"),
    ("presentation", "Board deck"),
    ("pdf", "Signed contract.pdf"),
    ("folder", "Shared with partners"),
)
VISIBILITIES = ("private", "shared_internally", "people_within_domain_with_link", "people_with_link")


def _document(rng: random.Random, owner: Person, visibility: str) -> list[Parameter]:
    doc_type, title = pick(rng, DOCUMENTS)
    return [
        _flag("primary_event", True),
        _flag("billable", True),
        _flag("owner_is_shared_drive", False),
        _value("owner", owner.email),
        _value("doc_id", random_token(rng, 44, ETAG_ALPHABET)),
        _value("doc_type", doc_type),
        _value("doc_title", title),
        _value("visibility", visibility),
    ]


def _access(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return _document(rng, pick(rng, (actor, other)), pick(rng, VISIBILITIES))


def _user_access(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    external = rng.random() < 0.3
    target = f"partner{rng.randint(1, 99)}@example.net" if external else other.email
    return [
        *_document(rng, actor, "shared_externally" if external else "shared_internally"),
        _value("target_user", target),
        _many("old_value", ["none"]),
        _many("new_value", [pick(rng, ("can_view", "can_comment", "can_edit"))]),
        _value("visibility_change", "external" if external else "internal"),
    ]


def _link_visibility(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    new = pick(rng, ("people_with_link", "public_on_the_web", "people_within_domain_with_link"))
    return [
        *_document(rng, actor, new),
        _value("target_domain", "all" if new != "people_within_domain_with_link" else ORG_DOMAIN),
        _many("old_value", ["private"]),
        _many("new_value", [new]),
        _value("visibility_change", "external" if new != "people_within_domain_with_link" else "internal"),
    ]


DRIVE_EVENTS: tuple[EventRow, ...] = (
    ("access", "view", 40, _access),
    ("access", "edit", 20, _access),
    ("access", "download", 8, _access),
    ("access", "create", 6, _access),
    ("access", "upload", 4, _access),
    ("access", "trash", 2, _access),
    ("access", "delete", 1, _access),
    ("acl_change", "change_user_access", 8, _user_access),
    ("acl_change", "change_document_visibility", 3, _link_visibility),
)


class GoogleDriveEventFactory(_ActivityFactory):
    salt = 0x6A02
    application = "drive"
    table = DRIVE_EVENTS


# --- token: https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token

APPS = (
    ("Zoom", "849883241272-ed6lnodi1grnoomiuknqkq2rbvd2udku.apps.googleusercontent.com", "WEB"),
    ("Slack", "114181356433-6r4j9bu0k5fqf4eb3qmhltvsvuo8m1iq.apps.googleusercontent.com", "WEB"),
    (
        "Sandbox CLI",
        "603952718836-q0c7ne2v6kdm5b1t8hwlg4zr9ysa3fxo.apps.googleusercontent.com",
        "NATIVE_DESKTOP",
    ),
    ("PDF Merge Free", "402116093521-4hprqjsmbpu7t2lbbfv3b9dpb5e3tg7q.apps.googleusercontent.com", "WEB"),
)
SCOPES = (
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/drive",
    "https://mail.google.com/",
)


def _app(rng: random.Random) -> list[Parameter]:
    name, client_id, client_type = pick(rng, APPS)
    return [_value("app_name", name), _value("client_id", client_id), _value("client_type", client_type)]


def _grant(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [*_app(rng), _many("scope", ["openid", *rng.sample(SCOPES, rng.randint(1, 3))])]


def _api_call(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    api, method, bucket = pick(
        rng,
        (
            ("calendar", "calendar.events.list", "CALENDAR"),
            ("drive", "drive.files.get", "DRIVE"),
            ("gmail", "gmail.users.messages.list", "GMAIL"),
        ),
    )
    return [
        _value("api_name", api),
        *_app(rng),
        _value("method_name", method),
        {"name": "num_response_bytes", "intValue": str(rng.randint(200, 90000))},
        _value("product_bucket", bucket),
    ]


TOKEN_EVENTS: tuple[EventRow, ...] = (
    ("auth", "activity", 60, _api_call),
    ("auth", "authorize", 25, _grant),
    ("auth", "revoke", 15, _grant),
)


class GoogleTokenEventFactory(_ActivityFactory):
    salt = 0x6A03
    application = "token"
    table = TOKEN_EVENTS
    owner_domain = False


# --- saml: https://developers.google.com/workspace/admin/reports/v1/appendix/activity/saml

SAML_APPS = ("AWS Console", "Salesforce", "Atlassian Cloud", "Workday")
SAML_FAILURES = (
    ("failure_app_not_enabled_for_user", "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"),
    ("failure_invalid_sp_id", "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported"),
    ("failure_request_denied", "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"),
)


def _saml_common(rng: random.Random) -> list[Parameter]:
    return [
        _value("application_name", pick(rng, SAML_APPS)),
        _value("initiated_by", pick(rng, ("idp", "sp"))),
    ]


def _saml_success(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [
        *_saml_common(rng),
        _value("orgunit_path", "/Engineering"),
        _value("saml_status_code", "urn:oasis:names:tc:SAML:2.0:status:Success"),
    ]


def _saml_failure(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    failure, second_level = pick(rng, SAML_FAILURES)
    return [
        *_saml_common(rng),
        _value("failure_type", failure),
        _value("orgunit_path", "/Engineering"),
        _value("saml_second_level_status_code", second_level),
        _value("saml_status_code", "urn:oasis:names:tc:SAML:2.0:status:Responder"),
    ]


SAML_EVENTS: tuple[EventRow, ...] = (
    ("login", "login_success", 85, _saml_success),
    ("login", "login_failure", 15, _saml_failure),
)


class GoogleSamlEventFactory(_ActivityFactory):
    salt = 0x6A04
    application = "saml"
    table = SAML_EVENTS
    owner_domain = False


# --- groups: https://developers.google.com/workspace/admin/reports/v1/appendix/activity/groups

GROUPS = ("engineering", "finance", "security-team", "all-staff", "partners-external")


def _group(rng: random.Random) -> Parameter:
    return _value("group_email", f"{pick(rng, GROUPS)}@{ORG_DOMAIN}")


def _member(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [
        _group(rng),
        _value("member_role", pick(rng, ("MEMBER", "MANAGER", "OWNER"))),
        _value("user_email", other.email),
    ]


def _member_removed(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [_group(rng), _value("user_email", other.email)]


def _group_only(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [_group(rng)]


def _acl(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    permission = pick(rng, ("can_add_members", "can_join", "can_view_membership", "can_post_messages"))
    return [
        _value("acl_permission", permission),
        _group(rng),
        _many("new_value_repeated", pick(rng, (["managers", "members"], ["anyone_on_the_internet"]))),
        _many("old_value_repeated", ["managers"]),
    ]


def _basic_setting(rng: random.Random, actor: Person, other: Person) -> list[Parameter]:
    return [
        _value("basic_setting", "allow_external_members"),
        _group(rng),
        _value("new_value", "true"),
        _value("old_value", "false"),
    ]


GROUP_EVENTS: tuple[EventRow, ...] = (
    ("moderator_action", "add_user", 25, _member),
    ("moderator_action", "remove_user", 10, _member_removed),
    ("moderator_action", "join", 12, _group_only),
    ("moderator_action", "request_to_join", 8, _group_only),
    ("moderator_action", "accept_invitation", 8, _group_only),
    ("moderator_action", "approve_join_request", 5, _member_removed),
    ("acl_change", "change_acl_permission", 4, _acl),
    ("group_change", "create_group", 3, _group_only),
    ("group_change", "change_basic_setting", 3, _basic_setting),
    ("group_change", "delete_group", 1, _group_only),
)


class GoogleGroupsEventFactory(_ActivityFactory):
    salt = 0x6A05
    application = "groups"
    table = GROUP_EVENTS


PROFILES: dict[str, Profile] = {
    api.source_id: (api, factory)
    for api, factory in (
        (GoogleAdminActivitiesApi, GoogleAdminEventFactory),
        (GoogleDriveActivitiesApi, GoogleDriveEventFactory),
        (GoogleTokenActivitiesApi, GoogleTokenEventFactory),
        (GoogleSamlActivitiesApi, GoogleSamlEventFactory),
        (GoogleGroupsActivitiesApi, GoogleGroupsEventFactory),
    )
}
