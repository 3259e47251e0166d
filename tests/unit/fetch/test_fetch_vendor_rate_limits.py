"""Rate limits as each vendor signals them, on the responses their documentation shows.

A vendor's "slow down" must become SourceRateLimitedError with the wait it asked for (the state
machine waits it out), never an authentication failure that tells someone to fix a token; a 403
that is not a rate limit must still be one. Each case cites the page its headers come from.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fetch_helpers import FIXED_NOW, Loopback, clock

from eventframework.definitions import load_source
from eventframework.fetch import SourceAuthError, SourceRateLimitedError, fetch_page
from eventframework.fetch.auth import NoAuth

RESET = str(int(FIXED_NOW) + 42)  # an epoch reset header 42 s after the clock

# (source, status, headers, body, expected wait in seconds or None when the vendor gives none)
RATE_LIMITED: dict[str, tuple[str, int, dict[str, str], Any, float | None]] = {
    # developer.okta.com/docs/reference/rl2-monitor: 429, X-Rate-Limit-* with an epoch reset, E0000047.
    "okta-429": (
        "okta-system-log",
        429,
        {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": RESET},
        {"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."},
        42,
    ),
    # auth0.com/docs/api/management/v2/logs/get-logs, 429: "Check the X-RateLimit-Limit,
    # X-RateLimit-Remaining and X-RateLimit-Reset headers" (the reset a UNIX timestamp in seconds).
    "auth0-429": (
        "auth0-logs",
        429,
        {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": RESET},
        {"statusCode": 429, "error": "Too Many Requests", "message": "Global limit has been reached"},
        42,
    ),
    # docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api: the primary limit is
    # 403 or 429 with x-ratelimit-remaining 0 (wait until x-ratelimit-reset, epoch seconds) ...
    "github-primary-403": (
        "github-audit-log",
        403,
        {
            "x-ratelimit-limit": "60",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "60",
            "x-ratelimit-reset": RESET,
        },
        {
            "message": "API rate limit exceeded for xxx.xxx.xxx.xxx.",
            "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
        },
        42,
    ),
    # ... the secondary limit 403 or 429 with retry-after (seconds) when GitHub gives one.
    "github-secondary-403": (
        "github-audit-log",
        403,
        {"retry-after": "60"},
        {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
            "try again."
        },
        60,
    ),
    "github-secondary-429": ("github-audit-log", 429, {"retry-after": "30"}, {"message": "secondary"}, 30),
    # Google APIs name the quota in the body (developers.google.com/workspace/admin/directory/v1/limits).
    "google-403-user-rate": (
        "google-workspace-login",
        403,
        {},
        {
            "error": {
                "errors": [
                    {
                        "domain": "usageLimits",
                        "reason": "userRateLimitExceeded",
                        "message": "User Rate Limit Exceeded",
                    }
                ],
                "code": 403,
                "message": "User Rate Limit Exceeded",
            }
        },
        None,
    ),
    # learn.microsoft.com/en-us/graph/throttling: 429 with Retry-After in seconds.
    "graph-429": (
        "microsoft-graph-signins",
        429,
        {"Retry-After": "10"},
        {"error": {"code": "TooManyRequests", "message": "Too many requests"}},
        10,
    ),
    # launchdarkly.com/docs/api#rate-limiting: X-Ratelimit-Reset is epoch *milliseconds*.
    "launchdarkly-429": (
        "launchdarkly-audit-log",
        429,
        {"X-Ratelimit-Global-Remaining": "0", "X-Ratelimit-Reset": str(int(FIXED_NOW * 1000) + 42_000)},
        {"code": "rate_limited", "message": "You've exceeded the API rate limit. Try again later."},
        42,
    ),
    # Slack (Audit Logs methods are Tier 3,
    # docs.slack.dev/reference/audit-logs-api/methods-actions-reference): 429 with Retry-After in
    # seconds and {"ok": false, "error": "ratelimited"}, as slackapi's SDKs handle it.
    "slack-429": ("slack-audit-logs", 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}, 1),
    # Duo's own clients (duosecurity/duo_client_python, _RATE_LIMITED_RESP_CODE = 429) back off on
    # 429 by themselves: Duo documents no wait header.
    "duo-429": (
        "duo-authentication-log",
        429,
        {},
        {"code": 42901, "message": "Too Many Requests", "stat": "FAIL"},
        None,
    ),
    # 1Password Events API (developer.1password.com/docs/events-api/reference): 429, no headers documented.
    "onepassword-429": (
        "onepassword-signin-attempts",
        429,
        {},
        {"status": 429, "message": "Too Many Requests"},
        None,
    ),
}

# Vendor 403s that are not rate limits: a person must fix the credentials.
NOT_RATE_LIMITED: dict[str, tuple[str, dict[str, str], Any]] = {
    "github-403-no-access": (
        "github-audit-log",
        {"x-ratelimit-remaining": "4999", "x-ratelimit-reset": RESET},
        {"message": "Resource not accessible by integration"},
    ),
    "google-403-forbidden": (
        "google-workspace-login",
        {},
        {
            "error": {
                "errors": [
                    {
                        "domain": "global",
                        "reason": "forbidden",
                        "message": "Not Authorized to access this resource/api",
                    }
                ],
                "code": 403,
            }
        },
    ),
    "okta-403": (
        "okta-system-log",
        {},
        {
            "errorCode": "E0000006",
            "errorSummary": "You do not have permission to perform the requested action",
        },
    ),
}


def fetch(source: str, loopback: Loopback) -> None:
    definition = load_source(source)
    fetch_page(
        definition,
        {"base_url": loopback.url},
        None,
        session=requests.Session(),
        now=clock,
        auth=NoAuth(definition.auth),
    )


@pytest.mark.parametrize("case", RATE_LIMITED.values(), ids=RATE_LIMITED.keys())
def test_fetch_vendor_rate_limit_waits_as_the_vendor_asks(
    loopback: Loopback, case: tuple[str, int, dict[str, str], Any, float | None]
) -> None:
    source, status, headers, body, wait = case
    loopback.reply(status=status, headers=headers, body=body)
    with pytest.raises(SourceRateLimitedError) as raised:
        fetch(source, loopback)
    assert raised.value.status == status
    assert raised.value.retry_after_seconds == wait
    assert "check the token" not in str(raised.value)


@pytest.mark.parametrize("case", NOT_RATE_LIMITED.values(), ids=NOT_RATE_LIMITED.keys())
def test_fetch_vendor_403_without_a_rate_limit_signal_is_an_auth_failure(
    loopback: Loopback, case: tuple[str, dict[str, str], Any]
) -> None:
    source, headers, body = case
    loopback.reply(status=403, headers=headers, body=body)
    with pytest.raises(SourceAuthError):
        fetch(source, loopback)
