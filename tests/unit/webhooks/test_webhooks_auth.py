"""Verifiers against the vendors' documented examples, and the ways a signature can be wrong."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eventframework.definitions.webhook_auth_keys import WEBHOOK_AUTH, WebhookAuthSpec, WebhookAuthType
from eventframework.webhooks import VERIFIERS, AuthenticationError, WebhookRequest, verifier_for

# docs.github.com, "Validating webhook deliveries": the documented secret, payload and signature.
GITHUB_SECRET = b"It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

# api.slack.com, "Verifying requests from Slack": the documented signing secret, request and signature.
SLACK_SECRET = b"8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TIMESTAMP = 1531420618
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def spec(kind: WebhookAuthType, **changes: object) -> WebhookAuthSpec:
    """The kind's spec with its vendor defaults, as a definition naming only its type loads."""
    return replace(WEBHOOK_AUTH.build({"type": kind.value}), **changes)  # type: ignore[arg-type]


def request(body: bytes, headers: dict[str, str]) -> WebhookRequest:
    return WebhookRequest.build("s", "POST", body, 0.0, headers)


def github(body: bytes = GITHUB_BODY, signature: str = GITHUB_SIGNATURE) -> WebhookRequest:
    return request(body, {"X-Hub-Signature-256": signature})


def slack(body: bytes = SLACK_BODY, timestamp: int = SLACK_TIMESTAMP) -> WebhookRequest:
    return request(body, {"X-Slack-Signature": SLACK_SIGNATURE, "X-Slack-Request-Timestamp": str(timestamp)})


def test_verifiers_registry_covers_every_kind() -> None:
    assert set(VERIFIERS) == set(WebhookAuthType)


def test_hmac_sha256_accepts_githubs_documented_example() -> None:
    verifier_for(spec(WebhookAuthType.HMAC_SHA256)).verify(github(), [GITHUB_SECRET], now=0)


def test_hmac_sha256_header_name_is_case_insensitive() -> None:
    lower = request(GITHUB_BODY, {"x-hub-signature-256": GITHUB_SIGNATURE})
    verifier_for(spec(WebhookAuthType.HMAC_SHA256)).verify(lower, [GITHUB_SECRET], now=0)


@pytest.mark.parametrize(
    ("req", "secrets", "reason"),
    [
        (github(b"Hello, World?"), [GITHUB_SECRET], "does not match"),
        (github(), [b"another secret"], "does not match"),
        (github(signature=GITHUB_SIGNATURE.removeprefix("sha256=")), [GITHUB_SECRET], "does not match"),
        (github(signature="sha1=" + "0" * 40), [GITHUB_SECRET], "does not match"),
        (request(GITHUB_BODY, {}), [GITHUB_SECRET], "missing X-Hub-Signature-256"),
    ],
    ids=["tampered-body", "wrong-secret", "no-prefix", "sha1-signature", "missing-header"],
)
def test_hmac_sha256_refuses(req: WebhookRequest, secrets: list[bytes], reason: str) -> None:
    with pytest.raises(AuthenticationError, match=reason) as caught:
        verifier_for(spec(WebhookAuthType.HMAC_SHA256)).verify(req, secrets, now=0)
    assert caught.value.status == 401
    assert GITHUB_SECRET.decode() not in str(caught.value)


def test_hmac_sha256_accepts_either_secret_during_rotation() -> None:
    verifier = verifier_for(spec(WebhookAuthType.HMAC_SHA256))
    verifier.verify(github(), [b"the new secret", GITHUB_SECRET], now=0)
    verifier.verify(github(), [GITHUB_SECRET, b"the old secret"], now=0)


def test_slack_v0_accepts_slacks_documented_example_within_the_window() -> None:
    verifier_for(spec(WebhookAuthType.SLACK_V0)).verify(slack(), [SLACK_SECRET], now=SLACK_TIMESTAMP + 299)


@pytest.mark.parametrize("offset", [301, -301, 86400])
def test_slack_v0_refuses_a_timestamp_outside_the_window(offset: int) -> None:
    with pytest.raises(AuthenticationError, match="outside the 300s window"):
        verifier_for(spec(WebhookAuthType.SLACK_V0)).verify(
            slack(), [SLACK_SECRET], now=SLACK_TIMESTAMP + offset
        )


def test_slack_v0_refuses_a_replay_with_a_fresh_timestamp() -> None:
    """Moving the timestamp into the window breaks the signature: it covers the timestamp."""
    replayed = slack(timestamp=SLACK_TIMESTAMP + 1000)
    with pytest.raises(AuthenticationError, match="does not match"):
        verifier_for(spec(WebhookAuthType.SLACK_V0)).verify(
            replayed, [SLACK_SECRET], now=SLACK_TIMESTAMP + 1000
        )


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-Slack-Signature": SLACK_SIGNATURE}, "missing X-Slack-Request-Timestamp"),
        ({"X-Slack-Signature": SLACK_SIGNATURE, "X-Slack-Request-Timestamp": "soon"}, "not epoch seconds"),
        ({"X-Slack-Request-Timestamp": str(SLACK_TIMESTAMP)}, "missing X-Slack-Signature"),
    ],
)
def test_slack_v0_refuses_missing_or_malformed_headers(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(AuthenticationError, match=reason):
        verifier_for(spec(WebhookAuthType.SLACK_V0)).verify(
            request(SLACK_BODY, headers), [SLACK_SECRET], now=SLACK_TIMESTAMP
        )


def test_slack_v0_tolerance_is_configurable() -> None:
    narrow = verifier_for(spec(WebhookAuthType.SLACK_V0, tolerance_seconds=10))
    with pytest.raises(AuthenticationError, match="outside the 10s window"):
        narrow.verify(slack(), [SLACK_SECRET], now=SLACK_TIMESTAMP + 11)


def test_token_accepts_the_shared_token_and_refuses_others() -> None:
    verifier = verifier_for(spec(WebhookAuthType.TOKEN, prefix="Bearer "))
    verifier.verify(request(b"", {"Authorization": "Bearer s3cr3t"}), [b"s3cr3t"], now=0)
    for presented in ("Bearer s3cr3", "s3cr3t", "Bearer s3cr3t ", "Bearer ünï"):
        with pytest.raises(AuthenticationError, match="Authorization does not match \\(token\\)"):
            verifier.verify(request(b"", {"Authorization": presented}), [b"s3cr3t"], now=0)
