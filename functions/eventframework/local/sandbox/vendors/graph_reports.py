"""Microsoft Graph v1.0 reports beyond sign-ins: the Entra ID directory audit log
(`GET /v1.0/auditLogs/directoryAudits`) and Identity Protection risk detections
(`GET /v1.0/identityProtection/riskDetections`).

Both behave as the sign-ins endpoint they subclass (`GraphSignInsApi`): OAuth2 client-credentials
tokens from the tenant's `/oauth2/v2.0/token` with a `/.default` scope, a `$filter=<time> ge <time>`
on the first request, `$top` clamped to the endpoint's maximum, and an absolute `@odata.nextLink`
carrying `$skiptoken` over the slice the listing started on (newest first). The lower bound applies
to ingestion time (see oldest_first_apis.py), so a late record is never hidden behind a checkpoint.

References: https://learn.microsoft.com/en-us/graph/api/directoryaudit-list?view=graph-rest-1.0 and
https://learn.microsoft.com/en-us/graph/api/riskdetection-list?view=graph-rest-1.0 (page size: default
20, maximum 500 with `$top`). Graph takes a DateTimeOffset literal unquoted in `$filter`
(`2014-01-01T00:00:00Z`, as the resources' property tables write it, fractions and offsets allowed).
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import limit_param, require_param
from eventframework.local.sandbox.catalogue_events import ID_ALPHABET, _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import Person, pick, random_address, random_token, random_uuid
from eventframework.local.sandbox.newest_first_apis import GraphSignInsApi
from eventframework.local.sandbox.pools import AGENTS, PLACES

# An OData v4 DateTimeOffset literal: unquoted, seconds required, up to 7 fraction digits, Z or offset.
_DATE_TIME_OFFSET = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})"


class _GraphTimeFilteredApi(GraphSignInsApi):
    """A Graph collection listed newest first from `$filter=<time_property> ge <DateTimeOffset>`."""

    time_property: ClassVar[str]
    context: ClassVar[str]
    default_top: ClassVar[int]
    max_top: ClassVar[int]

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        since = None
        if self.token_param not in query:
            condition = require_param(query, "$filter")
            found = re.fullmatch(rf"{self.time_property} ge (?P<time>{_DATE_TIME_OFFSET})", condition)
            if found is None:
                raise BadRequest(
                    "$filter",
                    f"the sandbox answers `{self.time_property} ge <DateTimeOffset>` only, the time "
                    "unquoted as in 2014-01-01T00:00:00Z",
                )
            since = parse_time(found["time"])
        size = limit_param(query, "$top", self.default_top, self.max_top)
        return self.odata_page(query, since, size, self.context, link_host)


class GraphDirectoryAuditsApi(_GraphTimeFilteredApi):
    """`GET /v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge <time>` (AuditLog.Read.All).
    The list page documents `$filter` (eq, ge, le) on activityDateTime and `$top` without a maximum;
    the sandbox clamps at 1000 as for sign-ins."""

    source_id: ClassVar[str] = "microsoft-graph-directory-audits"
    path: ClassVar[str] = "/v1.0/auditLogs/directoryAudits"
    time_property: ClassVar[str] = "activityDateTime"
    context: ClassVar[str] = "auditLogs/directoryAudits"
    default_top: ClassVar[int] = 1000
    max_top: ClassVar[int] = 1000


class GraphRiskDetectionsApi(_GraphTimeFilteredApi):
    """`GET /v1.0/identityProtection/riskDetections?$filter=detectedDateTime ge <time>`
    (IdentityRiskEvent.Read.All); 20 per page by default, at most 500 with `$top`."""

    source_id: ClassVar[str] = "microsoft-graph-risk-detections"
    path: ClassVar[str] = "/v1.0/identityProtection/riskDetections"
    time_property: ClassVar[str] = "detectedDateTime"
    context: ClassVar[str] = "identityProtection/riskDetections"
    default_top: ClassVar[int] = 20
    max_top: ClassVar[int] = 500


def _graph_time(event_ms: int, rng_fraction: int) -> str:
    """Graph's DateTimeOffset as the reports send it: UTC, 7 fraction digits, Z."""
    moment = datetime.fromtimestamp(event_ms // 1000, tz=UTC)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{(event_ms % 1000) * 10000 + rng_fraction:07d}Z"


# (category, activityDisplayName, loggedByService, operationType, target type, result, weight)
AUDIT_ACTIVITIES: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    ("GroupManagement", "Add member to group", "Core Directory", "Assign", "Group", "success", 30),
    ("UserManagement", "Update user", "Core Directory", "Update", "User", "success", 25),
    ("UserManagement", "Reset user password", "Core Directory", "Update", "User", "success", 8),
    ("UserManagement", "Reset password (self-service)", "Self-service Password Management", "Update", "User",
     "failure", 6),
    ("RoleManagement", "Add member to role", "Core Directory", "Assign", "Role", "success", 5),
    ("ApplicationManagement", "Add service principal credentials", "Core Directory", "Update",
     "ServicePrincipal", "success", 4),
    ("ApplicationManagement", "Consent to application", "Core Directory", "Assign", "ServicePrincipal",
     "failure", 3),
    ("Policy", "Update conditional access policy", "Conditional Access", "Update", "Policy", "success", 3),
    ("UserManagement", "Delete user", "Core Directory", "Delete", "User", "success", 2),
    ("GroupManagement", "Add group", "Self-service Group Management", "Add", "Group", "timeout", 1),
)  # fmt: skip
AUDIT_CUMULATIVE = cumulative(AUDIT_ACTIVITIES)
FAILURE_REASONS = {
    "failure": "User's account is locked",
    "timeout": "Microsoft.Online.Workflows.WorkflowTimeoutException",
}


class GraphDirectoryAuditEventFactory(_Factory):
    """directoryAudit records shaped as the v1.0 list examples: initiatedBy.user or .app, targets."""

    salt = 0x6DA7

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        category, activity, service, operation, target_type, result, _ = weighted(
            rng, AUDIT_ACTIVITIES, AUDIT_CUMULATIVE
        )
        ip, _ = random_address(rng)
        target = self._people[rng.randrange(len(self._people))]
        correlation = random_uuid(rng)
        by_app = rng.random() < 0.04  # service principals act too (no IP then)
        initiated: dict[str, Any] = {"user": None, "app": None}
        if by_app:
            initiated["app"] = {
                "appId": random_uuid(rng),
                "displayName": "Microsoft Azure AD Group-Based Licensing",
                "servicePrincipalId": random_uuid(rng),
                "servicePrincipalName": None,
            }
        else:
            initiated["user"] = {
                "id": random_uuid(rng),
                "displayName": person.name,
                "userPrincipalName": person.email,
                "ipAddress": ip,
                "userType": None,
                "homeTenantId": None,
                "homeTenantName": None,
            }
        resources = [self._target(rng, target_type, target)]
        if target_type in ("Group", "Role"):  # membership changes name the member as a second target
            resources.append(self._target(rng, "User", target))
        return {
            "id": f"Directory_{correlation}_{random_token(rng, 5, ID_ALPHABET[:36]).upper()}_{position}",
            "category": category,
            "correlationId": correlation,
            "result": result,
            "resultReason": FAILURE_REASONS.get(result, ""),
            "activityDisplayName": activity,
            "activityDateTime": _graph_time(event_ms, rng.randrange(10000)),
            "loggedByService": service,
            "operationType": operation,
            "initiatedBy": initiated,
            "targetResources": resources,
            "additionalDetails": [{"key": "User-Agent", "value": pick_agent(rng)}],
        }

    @staticmethod
    def _target(rng: random.Random, target_type: str, person: Person) -> dict[str, Any]:
        user = target_type == "User"
        return {
            "id": random_uuid(rng),
            "displayName": person.name if user else pick(rng, TARGET_NAMES.get(target_type, ("Other",))),
            "type": target_type,
            "userPrincipalName": person.email if user else None,
            "groupType": "unifiedGroups" if target_type == "Group" else None,
            "modifiedProperties": [
                {"displayName": "Included Updated Properties", "oldValue": None, "newValue": '""'}
            ],
        }


TARGET_NAMES: dict[str, tuple[str, ...]] = {
    "Group": ("Engineering", "Finance Approvers", "VPN Users", "All Staff"),
    "Role": ("Global Administrator", "Security Reader", "User Administrator", "Helpdesk Administrator"),
    "ServicePrincipal": ("Payroll Export", "Graph Explorer", "Contoso CRM Sync"),
    "Policy": ("Require MFA for admins", "Block legacy authentication"),
}


def pick_agent(rng: random.Random) -> str:
    return str(AGENTS[rng.randrange(len(AGENTS))].raw)


# (riskEventType, riskLevel, detectionTimingType, riskState, riskDetail, weight)
RISK_KINDS: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("unfamiliarFeatures", "low", "realtime", "atRisk", "none", 30),
    ("anonymizedIPAddress", "medium", "realtime", "atRisk", "none", 20),
    ("unlikelyTravel", "medium", "offline", "atRisk", "none", 15),
    ("passwordSpray", "high", "offline", "atRisk", "none", 6),
    ("leakedCredentials", "high", "offline", "confirmedCompromised", "adminConfirmedUserCompromised", 4),
    ("maliciousIPAddress", "high", "offline", "remediated", "userPerformedSecuredPasswordReset", 5),
    ("unfamiliarFeatures", "low", "realtime", "dismissed", "aiConfirmedSigninSafe", 15),
    ("generic", "hidden", "offline", "atRisk", "hidden", 5),
)
RISK_CUMULATIVE = cumulative(RISK_KINDS)


class GraphRiskDetectionEventFactory(_Factory):
    """riskDetection records shaped as the v1.0 list example; user-level detections carry no
    sign-in (requestId and correlationId null, as the resource page says)."""

    salt = 0x61D5

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        kind, level, timing, state, detail, _ = weighted(rng, RISK_KINDS, RISK_CUMULATIVE)
        ip, _ = random_address(rng)
        place = PLACES[rng.randrange(len(PLACES))]
        signin = kind != "leakedCredentials"  # a user-level detection: no sign-in, no IP
        request_id = random_uuid(rng) if signin else None
        lag_ms = (5 * 60_000 if timing == "realtime" else 6 * 3600_000) + rng.randrange(60_000)
        detected = _graph_time(event_ms, rng.randrange(10000))
        return {
            "id": random_token(rng, 64, "0123456789abcdef"),
            "requestId": request_id,
            "correlationId": random_uuid(rng) if signin else None,
            "riskEventType": kind,
            "riskState": state,
            "riskLevel": level,
            "riskDetail": detail,
            "source": "IdentityProtection" if timing == "offline" else "activeDirectory",
            "detectionTimingType": timing,
            "activity": "signin" if signin else "user",
            "tokenIssuerType": "AzureAD",
            "ipAddress": ip if signin else None,
            "location": {
                "city": place.city,
                "state": place.state,
                "countryOrRegion": place.country_code,
                "geoCoordinates": {"altitude": None, "latitude": place.lat, "longitude": place.lon},
            }
            if signin
            else None,
            "activityDateTime": _graph_time(max(event_ms - lag_ms, 0), rng.randrange(10000)),
            "detectedDateTime": detected,
            "lastUpdatedDateTime": detected,
            "userId": random_uuid(rng),
            "userDisplayName": person.name,
            "userPrincipalName": person.email,
            "additionalInfo": json.dumps([{"Key": "userAgent", "Value": pick_agent(rng)}] if signin else []),
        }


PROFILES: dict[str, Profile] = {
    GraphDirectoryAuditsApi.source_id: (GraphDirectoryAuditsApi, GraphDirectoryAuditEventFactory),
    GraphRiskDetectionsApi.source_id: (GraphRiskDetectionsApi, GraphRiskDetectionEventFactory),
}
