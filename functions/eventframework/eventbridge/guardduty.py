"""The GuardDuty mapping hook: what sources/aws-guardduty.yaml cannot say declaratively.

GuardDuty scores a finding from 0.1 to 10 and names the bands (Low 1.0-3.9, Medium 4.0-6.9, High
7.0-8.9, Critical 9.0-10.0 for attack sequences); a severity table maps strings, not ranges, so the
band is chosen here. The remote address sits under whichever action the finding carries
(``service.action.<kind>Action.remoteIpDetails``, or the first ``portProbeDetails`` entry of a port
probe), so the first one present becomes ``details.sourceipaddress``, with its country and
organisation alongside.
"""

from __future__ import annotations

import ipaddress
from typing import Any

# (lower bound, MozDef severity), highest first. Any GuardDuty finding is already a detection, so
# even a low one is a NOTICE rather than routine INFO; High pages someone (CRITICAL); Critical
# attack sequences (9+) are ALERT.
SEVERITY_BANDS: tuple[tuple[float, str], ...] = (
    (9.0, "ALERT"),
    (7.0, "CRITICAL"),
    (4.0, "WARNING"),
    (0.0, "NOTICE"),
)

# Action kinds whose object carries remoteIpDetails directly, as GuardDuty documents them.
_ACTIONS_WITH_REMOTE_IP = (
    "networkConnectionAction",
    "awsApiCallAction",
    "kubernetesApiCallAction",
    "rdsLoginAttemptAction",
)


def severity_for(score: Any) -> str:
    """The MozDef severity of a GuardDuty severity score (see SEVERITY_BANDS)."""
    if isinstance(score, int | float) and not isinstance(score, bool):
        for bound, name in SEVERITY_BANDS:
            if score >= bound:
                return name
    return "NOTICE"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def remote_ip_details(action: dict[str, Any]) -> dict[str, Any]:
    """The first ``remoteIpDetails`` of a finding's ``service.action``, or an empty dict."""
    for kind in _ACTIONS_WITH_REMOTE_IP:
        details = _dict(_dict(action.get(kind)).get("remoteIpDetails"))
        if details:
            return details
    probes = _dict(action.get("portProbeAction")).get("portProbeDetails")
    if isinstance(probes, list):
        for probe in probes:
            details = _dict(_dict(probe).get("remoteIpDetails"))
            if details:
                return details
    return {}


def _valid_ip(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def enrich(event: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """Set the severity band and the remote address details of one GuardDuty finding event."""
    detail = _dict(raw.get("detail"))
    event["severity"] = severity_for(detail.get("severity"))
    remote = remote_ip_details(_dict(_dict(detail.get("service")).get("action")))
    address = _valid_ip(remote.get("ipAddressV4")) or _valid_ip(remote.get("ipAddressV6"))
    details = event["details"]
    if address is not None:
        details["sourceipaddress"] = address
    country = _dict(remote.get("country")).get("countryName")
    organisation = _dict(remote.get("organization")).get("asnOrg")
    for name, value in (("sourcecountry", country), ("sourceorganization", organisation)):
        if isinstance(value, str) and value:
            details[name] = value[:256]
    return event
