"""Salesforce: the REST API's SOQL Query resource (`GET /services/data/v67.0/query?q=<SOQL>`) over two
security objects, LoginHistory (every login attempt, successful or not) and SetupAuditTrail (changes
made in Setup), with OAuth 2.0 client-credentials tokens from the org's My Domain
(`POST /services/oauth2/token`).

The first request carries the SOQL query `SELECT ... FROM <object> WHERE <time field> >= <dateTime>
ORDER BY <time field> ASC`, the dateTime unquoted as SOQL's date formats give it
(`1999-01-01T23:01:01Z`, or with an offset; LoginHistory's reference also writes milliseconds). A result
larger than one batch ends with `done: false` and a relative `nextRecordsUrl`; the following batches
are requested there with no parameters. Batches hold up to 2,000 records: the `Sforce-Query-Options:
batchSize=N` header asks for fewer, at least 200 ("the minimum is 200, and the maximum is 2,000").

References: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm,
.../dome_query.htm, .../headers_queryoptions.htm, .../errorcodes.htm (errors are a JSON list of
`{"message", "errorCode"}`; 403 with REQUEST_LIMIT_EXCEEDED when the org's API request limit is used up),
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
and the client credentials flow (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm):
the token response has no `expires_in` (the session lasts the org's session timeout).

Where the sandbox differs: its router serves fixed paths, so a query locator is the fixed path
`/services/data/v67.0/query/<locator id>` carrying the batch position in a `locator` parameter, where
Salesforce writes `/services/data/v67.0/query/01gD0000002HU6KIAW-2000`; clients follow the URL as given
either way. The two objects share Salesforce's one query resource; the sandbox serves LoginHistory at
`.../query` and SetupAuditTrail at `.../query/` (both spellings are Salesforce's: the resource's URI and
its curl examples), so each source has its own route. A query locator is a snapshot: its batches cover
the records that matched when the query ran. The lower bound applies to ingestion time (see
oldest_first_apis.py), so a late record is never hidden behind a checkpoint; within a result, records
come in ingestion order (the same as time order unless records arrive late).
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply, parse_time
from eventframework.local.sandbox.catalogue_api import (
    SANDBOX_CLIENT_ID,
    OAuth2ClientCredentialsApi,
    PageToken,
    require_param,
    require_token,
)
from eventframework.local.sandbox.catalogue_events import _Factory, cumulative, weighted
from eventframework.local.sandbox.generate import ORG_DOMAIN, Person, pick, random_address, random_token
from eventframework.local.sandbox.pools import AGENTS, PLACES

API_VERSION = "v67.0"
QUERY_PATH = f"/services/data/{API_VERSION}/query"
TOKEN_PATH = "/services/oauth2/token"
ORG_ID = "00D5g00000EFWsbEAC"
MY_DOMAIN = "sandbox-corp.my.salesforce.com"
DEFAULT_BATCH, MIN_BATCH, MAX_BATCH = 2000, 200, 2000
ID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# SOQL's dateTime formats: YYYY-MM-DDThh:mm:ss with Z or an offset (the LoginHistory reference's
# examples add milliseconds: 2010-09-20T22:16:30.000Z).
_DATE_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?:Z|[+-]\d{2}:\d{2})"
_BATCH_SIZE = re.compile(r"\s*batchSize\s*=\s*(?P<size>\d+)\s*")


def _soql(sobject: str, time_field: str) -> re.Pattern[str]:
    """`SELECT <fields> FROM <sobject> WHERE <time_field> >= <dateTime> ORDER BY <time_field> ASC`;
    keywords and names are case-insensitive in SOQL."""
    return re.compile(
        rf"\s*SELECT\s+(?P<fields>[A-Za-z0-9_.,\s]+?)\s+FROM\s+{sobject}\s+"
        rf"WHERE\s+{time_field}\s*>=\s*(?P<time>{_DATE_TIME})\s+"
        rf"ORDER\s+BY\s+{time_field}(?:\s+ASC)?\s*",
        re.IGNORECASE,
    )


def salesforce_time(event_ms: int) -> str:
    """How the REST API writes a dateTime field: UTC, milliseconds, `+0000`."""
    moment = datetime.fromtimestamp(event_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{event_ms % 1000:03d}+0000"


def record_id(prefix: str, rng_token: str, position: int) -> str:
    """An 18-character record id with the object's key prefix (0Ya LoginHistory, 0Ym SetupAuditTrail)."""
    return f"{prefix}{rng_token}{position:07d}"[:15] + "AAA"


def user_id(person: Person) -> str:
    """The person's 18-character User id (key prefix 005), the same in every event."""
    return "005" + person.okta_id[3:15] + "AAA"


class _SoqlQueryApi(OAuth2ClientCredentialsApi):
    """`GET <path>?q=<SOQL on sobject>` then the `nextRecordsUrl` of each batch (oldest first)."""

    min_page_size: ClassVar[int] = MIN_BATCH

    method: ClassVar[str] = "GET"
    token_path: ClassVar[str] = TOKEN_PATH
    sobject: ClassVar[str]
    time_field: ClassVar[str]
    fields: ClassVar[frozenset[str]]
    locator_id: ClassVar[str]

    @classmethod
    def locator_path(cls) -> str:
        return f"{QUERY_PATH}/{cls.locator_id}"

    @classmethod
    def data_paths(cls) -> tuple[str, ...]:
        return (cls.path, cls.locator_path())

    def page_number(self, request: ApiRequest) -> int | None:
        if request.path == self.path:
            return 1
        token = PageToken.decode(request.query.get("locator", ""))
        return None if token is None else token.page

    def _since(self, query: dict[str, str]) -> int:
        q = require_param(query, "q")
        found = _soql(self.sobject, self.time_field).fullmatch(q)
        if found is None:
            raise BadRequest(
                "q",
                f"the sandbox answers SELECT ... FROM {self.sobject} WHERE {self.time_field} >= <dateTime> "
                f"ORDER BY {self.time_field} ASC, the dateTime unquoted as SOQL writes it "
                "(1999-01-01T23:01:01Z)",
            )
        selected = {name.strip().lower() for name in found["fields"].split(",")}
        unknown = sorted(selected - {name.lower() for name in self.fields})
        if unknown:
            raise BadRequest("q", f"No such column '{unknown[0]}' on entity '{self.sobject}'")
        if not {"id", self.time_field.lower()} <= selected:
            raise BadRequest("q", f"the sandbox needs Id and {self.time_field} in the SELECT list")
        return parse_time(found["time"])

    @staticmethod
    def _batch_size(request: ApiRequest) -> int:
        """Sforce-Query-Options: batchSize=N, held between 200 and 2,000 (default 2,000)."""
        header = request.headers.get("sforce-query-options")
        if header is None:
            return DEFAULT_BATCH
        found = _BATCH_SIZE.fullmatch(header)
        if found is None:
            raise BadRequest("Sforce-Query-Options", f"expected batchSize=<number>, got {header!r}")
        return min(max(int(found["size"]), MIN_BATCH), MAX_BATCH)

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        if request.path == self.path:
            since = self._since(request.query)
            low = self.stream.first_ingested_at_or_after(since)
            token = PageToken(low, max(len(self.stream), low), 0, 1, self._batch_size(request))
        else:
            token = require_token(require_param(request.query, "locator"), "locator")
        start = token.low + token.done
        positions = list(range(start, min(token.high, start + token.limit)))
        done = start + len(positions) >= token.high
        body: dict[str, Any] = {"totalSize": token.high - token.low, "done": done}
        if not done:
            following = PageToken(
                token.low, token.high, token.done + len(positions), token.page + 1, token.limit
            )
            body["nextRecordsUrl"] = f"{self.locator_path()}?locator={following.encode()}"
        body["records"] = self.stream.events(positions)
        return Reply.json(200, body)

    def issue_token(self, request: ApiRequest) -> Reply:
        """Salesforce's token response: no expires_in; instance_url and id name the org and user."""
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Reply.json(
                400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            )
        if form.get("client_id") != SANDBOX_CLIENT_ID:
            return Reply.json(
                400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
            )
        if not hmac.compare_digest(form.get("client_secret", ""), self._token):
            return Reply.json(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        return Reply.json(
            200,
            {
                "access_token": self.access_token,
                "signature": "c2FuZGJveC1zaWduYXR1cmU=",
                "scope": "api",
                "instance_url": self.base_url,
                "id": f"{self.base_url}/id/{ORG_ID}/005SB0000INTEGAAA",
                "token_type": "Bearer",
                "issued_at": "1723626000000",
            },
        )

    def error(self, status: int, now: float, *, retry_after: int | None, reset_in: int | None) -> Reply:
        """A rate limit is a 403 (or 429) with errorCode REQUEST_LIMIT_EXCEEDED; Salesforce sends no
        Retry-After, the sandbox does when a test asks for one."""
        headers = [("Retry-After", str(retry_after))] if retry_after is not None else []
        limited = status == 429 or (status == 403 and (retry_after is not None or reset_in is not None))
        body = (
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
            if limited
            else self.error_body(status)
        )
        return Reply.json(status, body, headers)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        codes = {
            400: ("MALFORMED_QUERY", "unexpected token"),
            401: ("INVALID_SESSION_ID", "Session expired or invalid"),
            403: ("INSUFFICIENT_ACCESS", "insufficient access rights on object id"),
            404: ("NOT_FOUND", "The requested resource does not exist"),
        }
        code, message = codes.get(status, ("UNKNOWN_EXCEPTION", "An unexpected error occurred."))
        return [{"message": detail or message, "errorCode": code}]


class SalesforceLoginHistoryApi(_SoqlQueryApi):
    """SOQL on LoginHistory by LoginTime (readable with Manage Users or Monitor Login History)."""

    source_id: ClassVar[str] = "salesforce-login-history"
    path: ClassVar[str] = QUERY_PATH
    sobject: ClassVar[str] = "LoginHistory"
    time_field: ClassVar[str] = "LoginTime"
    locator_id: ClassVar[str] = "01gSB00000LOGINAAA"
    fields: ClassVar[frozenset[str]] = frozenset(
        {
            "Id", "UserId", "LoginTime", "LoginType", "LoginSubType", "SourceIp", "Status", "Application",
            "Browser", "Platform", "LoginUrl", "CountryIso", "ApiType", "ApiVersion",
            "AuthenticationServiceId", "AuthMethodReference", "ClientVersion", "CipherSuite", "TlsProtocol",
            "ForwardedForIp", "LoginGeoId", "NetworkId", "OptionsIsGet", "OptionsIsPost",
        }
    )  # fmt: skip


class SalesforceSetupAuditTrailApi(_SoqlQueryApi):
    """SOQL on SetupAuditTrail by CreatedDate (readable with View Setup and Configuration)."""

    source_id: ClassVar[str] = "salesforce-setup-audit-trail"
    path: ClassVar[str] = QUERY_PATH + "/"
    sobject: ClassVar[str] = "SetupAuditTrail"
    time_field: ClassVar[str] = "CreatedDate"
    locator_id: ClassVar[str] = "01gSB00000SETUPAAA"
    fields: ClassVar[frozenset[str]] = frozenset(
        {
            "Id", "Action", "Section", "CreatedDate", "CreatedById", "CreatedBy.Username", "CreatedBy.Name",
            "Display", "DelegateUser", "ResponsibleNamespacePrefix", "CreatedByContext", "CreatedByIssuer",
        }
    )  # fmt: skip


# (Status, weight): the values LoginHistory.Status takes most often (a login's outcome as Setup's
# Login History page lists it); anything but Success is a failed attempt.
STATUSES: tuple[tuple[str, int], ...] = (
    ("Success", 80),
    ("Invalid Password", 9),
    ("Failed: Computer activation required", 3),
    ("Failed: Verification Error", 3),
    ("Password Lockout", 2),
    ("Restricted IP", 2),
    ("User is Frozen", 1),
)
STATUSES_CUMULATIVE = cumulative(STATUSES)
# (LoginType, Application, LoginSubType, API client, weight)
LOGIN_KINDS: tuple[tuple[str, str, str | None, bool, int], ...] = (
    ("Application", "Browser", None, False, 50),
    ("SAML Sfdc Initiated SSO", "Browser", None, False, 20),
    ("Remote Access 2.0", "Salesforce for iOS", "OAuth User-Agent", False, 10),
    ("Remote Access 2.0", "Salesforce CLI", "OAuth Web Server", True, 8),
    ("Other Apex API", "Data Loader Bulk", None, True, 7),
    ("Remote Access Client", "Workbench", None, True, 5),
)  # fmt: skip
LOGIN_KINDS_CUMULATIVE = cumulative(LOGIN_KINDS)
PLATFORMS = {"Mac OS X": "Mac OSX", "Windows 10": "Windows 10", "Linux": "Linux", "iOS": "iPhone"}


class SalesforceLoginHistoryEventFactory(_Factory):
    """LoginHistory records as the query returns them: `attributes`, then the selected fields; null
    where the field does not apply (no API type for a browser login, no SAML service without SSO)."""

    salt = 0x5F01

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        status, _ = weighted(rng, STATUSES, STATUSES_CUMULATIVE)
        login_type, application, sub_type, api, _ = weighted(rng, LOGIN_KINDS, LOGIN_KINDS_CUMULATIVE)
        ip, _ = random_address(rng)
        agent, place = pick(rng, AGENTS), pick(rng, PLACES)
        record = record_id("0Ya", random_token(rng, 5, ID_CHARS), position)
        sso = login_type.startswith("SAML")
        return {
            "attributes": {
                "type": "LoginHistory",
                "url": f"/services/data/{API_VERSION}/sobjects/LoginHistory/{record}",
            },
            "Id": record,
            "UserId": user_id(person),
            "LoginTime": salesforce_time(event_ms),
            "LoginType": login_type,
            "LoginSubType": sub_type,
            "SourceIp": ip,
            "Status": status,
            "Application": application,
            "Browser": "Unknown" if api else f"{agent.browser.title()} {agent.browser_version.split('.')[0]}",
            "Platform": "Unknown" if api else PLATFORMS.get(agent.os_name, agent.os_name),
            "LoginUrl": "login.salesforce.com" if api else MY_DOMAIN,
            "CountryIso": place.country_code,
            "ApiType": "SOAP Partner" if api else None,
            "ApiVersion": API_VERSION.removeprefix("v") if api else None,
            "AuthenticationServiceId": "0LE5g000000EFWsAAG" if sso else None,
            "ClientVersion": "N/A",
            "CipherSuite": "ECDHE-RSA-AES256-GCM-SHA384",
            "TlsProtocol": "TLS 1.3" if rng.random() < 0.7 else "TLS 1.2",
        }


# (Action, Section, Display template, weight): Setup changes as the audit trail words them.
CHANGES: tuple[tuple[str, str, str, int], ...] = (
    ("changedpassword", "Manage Users", "Changed password for user {target}", 18),
    ("PermSetAssign", "Manage Users",
     "Permission set Sales Ops: assigned to user {target} (UserID: [{target_id}])", 16),
    ("PermSetFlsChanged", "Manage Users",
     "Changed permission set Sales Ops: field-level security for Opportunity: Amount was Read Only, "
     "now Read/Write", 14),
    ("createduser", "Manage Users", "Created new user {target}", 10),
    ("changedApexClass", "Apex Class", "Changed Class code: OpportunityTriggerHandler", 10),
    ("changedprofileforuser", "Manage Users",
     "Changed profile for user {target} from Standard User to System Administrator", 6),
    ("deactivateduser", "Manage Users", "Deactivated user {target}", 6),
    ("frozeuser", "Manage Users", "Froze user {target}", 4),
    ("suOrgAdminLogin", "Manage Users", "Logged in using Login-As access for {target}", 6),
    ("changedsessiontimeout", "Session Settings", "Changed session timeout from 2 hours to 12 hours", 3),
    ("passwordPolicyChanged", "Password Policies", "Changed minimum password length from 12 to 8", 2),
    ("loginIpRangeDeleted", "Network Access", "Deleted trusted IP range 198.51.100.0 to 198.51.100.255", 2),
)  # fmt: skip
CHANGES_CUMULATIVE = cumulative(CHANGES)


class SalesforceSetupAuditEventFactory(_Factory):
    """SetupAuditTrail records: Action, Section, Display, CreatedDate and the CreatedBy relationship
    (`CreatedBy.Username` arrives as a nested User record with its own `attributes`)."""

    salt = 0x5F02

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng, person = self.begin(position)
        action, section, display, _ = weighted(rng, CHANGES, CHANGES_CUMULATIVE)
        target = self._people[rng.randrange(len(self._people))]
        record = record_id("0Ym", random_token(rng, 5, ID_CHARS), position)
        delegate = action == "suOrgAdminLogin" or rng.random() < 0.05
        creator = user_id(person)
        return {
            "attributes": {
                "type": "SetupAuditTrail",
                "url": f"/services/data/{API_VERSION}/sobjects/SetupAuditTrail/{record}",
            },
            "Id": record,
            "Action": action,
            "Section": section,
            "CreatedDate": salesforce_time(event_ms),
            "CreatedById": creator,
            "CreatedBy": {
                "attributes": {
                    "type": "User",
                    "url": f"/services/data/{API_VERSION}/sobjects/User/{creator}",
                },
                "Username": person.email,
            },
            "Display": display.format(target=target.email, target_id=user_id(target)),
            "DelegateUser": f"support.admin@{ORG_DOMAIN}" if delegate else None,
            "ResponsibleNamespacePrefix": None,
            "CreatedByContext": None,
            "CreatedByIssuer": None,
        }


PROFILES: dict[str, Profile] = {
    SalesforceLoginHistoryApi.source_id: (SalesforceLoginHistoryApi, SalesforceLoginHistoryEventFactory),
    SalesforceSetupAuditTrailApi.source_id: (SalesforceSetupAuditTrailApi, SalesforceSetupAuditEventFactory),
}
