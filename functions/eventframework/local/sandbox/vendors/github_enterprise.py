"""Sandbox profile of the GitHub enterprise audit log.

`GET /enterprises/<enterprise>/audit-log` takes the same parameters as the organisation audit log
(`phrase=created:>=<date>` in GitHub's search syntax, `order=asc`, `per_page` at most 100, `include`)
and pages the same way (an `after` cursor in a rel="next" Link header), with the same rate-limit
headers and error documents, so the API only renames `GitHubAuditLogApi`'s source and path. The
events are the organisation audit log's, seen from the enterprise: every one carries `business`
(the enterprise slug) and `business_id`, and the enterprise's own `business.*` and IP allow list
actions appear beside the organisations' (docs.github.com, "Audit log events for your enterprise").
"""

from __future__ import annotations

from typing import Any, ClassVar

from eventframework.local.sandbox.api import Profile
from eventframework.local.sandbox.catalogue_events import GitHubAuditEventFactory, cumulative, weighted
from eventframework.local.sandbox.generate import event_rng
from eventframework.local.sandbox.oldest_first_apis import GitHubAuditLogApi

ENTERPRISE = "sandbox-corp"
ORGANIZATIONS = ("sandbox-corp-web", "sandbox-corp-payments", "sandbox-corp-infra")
# (action, operation_type, carries an organisation, weight)
ENTERPRISE_ACTIONS = (
    ("repo.create", "create", True, 20),
    ("team.add_member", "modify", True, 18),
    ("org.add_member", "create", True, 14),
    ("repo.access", "modify", True, 8),
    ("org.remove_member", "remove", True, 6),
    ("protected_branch.destroy", "remove", True, 4),
    ("repo.destroy", "remove", True, 4),
    ("personal_access_token.access_granted", "create", True, 5),
    ("business.invite_admin", "create", False, 3),
    ("business.add_admin", "create", False, 3),
    ("business.remove_admin", "remove", False, 2),
    ("business.add_organization", "create", False, 2),
    ("business.update_saml_provider_settings", "modify", False, 2),
    ("ip_allow_list_entry.create", "create", False, 2),
    ("ip_allow_list.disable", "modify", False, 1),
    ("business.disable_two_factor_requirement", "modify", False, 1),
)
_ACTION_WEIGHTS = cumulative(ENTERPRISE_ACTIONS)


class GitHubEnterpriseAuditLogApi(GitHubAuditLogApi):
    """`GET /enterprises/example-enterprise/audit-log?order=asc`: the organisation audit log's
    parameters, paging, rate-limit headers and errors at the enterprise's path."""

    source_id: ClassVar[str] = "github-enterprise-audit-log"
    path: ClassVar[str] = "/enterprises/example-enterprise/audit-log"


class GitHubEnterpriseAuditEventFactory(GitHubAuditEventFactory):
    """Organisation audit events with the enterprise's fields, and the enterprise's own actions
    (their organisation and repository null); every event has the same keys, so the sandbox's
    vendor-shape variations (vendor_shapes.py) stay recognisable."""

    salt = 0x6171

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        event = super().__call__(position, event_ms)
        rng = event_rng(self._seed, self.salt ^ 0xE7, position)
        action, operation, in_organization, _ = weighted(rng, ENTERPRISE_ACTIONS, _ACTION_WEIGHTS)
        event |= {"action": action, "operation_type": operation, "business": ENTERPRISE, "business_id": 4242}
        event["user"] = None
        if in_organization:
            index = rng.randrange(len(ORGANIZATIONS))
            event["org"], event["org_id"] = ORGANIZATIONS[index], 9001 + index
            if action.startswith(("repo.", "protected_branch.")):
                event["repo"] = f"{ORGANIZATIONS[index]}/{event['repo'].split('/', 1)[1]}"
            else:
                event["repo"] = None
            if action.startswith("org.") or action == "team.add_member":
                event["user"] = f"member-{rng.randint(1, 240)}"
        else:
            event |= {"org": None, "org_id": None, "repo": None}
            if action.endswith("_admin"):
                event["user"] = f"owner-{rng.randint(1, 40)}"
        return event


PROFILES: dict[str, Profile] = {
    GitHubEnterpriseAuditLogApi.source_id: (GitHubEnterpriseAuditLogApi, GitHubEnterpriseAuditEventFactory)
}
