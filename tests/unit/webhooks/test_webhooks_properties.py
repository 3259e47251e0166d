"""Property: arbitrary requests never produce a 500, and an authentic event is never dropped unrecorded.

Requests mix garbage (any method, source, headers, bytes) with authentic deliveries (correctly signed
GitHub and Zoom requests carrying arbitrary JSON, unicode, or fixture events, sometimes repeated).
For every authentic one the response accounts for it: published or dead-lettered (202), dead-lettered
as unparseable (400), a duplicate of a delivery already done (200), or a handshake (200).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.webhooks.webhook_world import (
    GITHUB_SECRET,
    ZOOM_SECRET,
    WebhookWorld,
    fixture_bytes,
    github_headers,
    zoom_headers,
)

from eventframework.webhooks import delivery_key

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
fixtures = st.sampled_from(
    [
        ("github-webhook", "push.json"),
        ("github-webhook", "organization-member-added.json"),
        ("github-webhook", "ping.json"),
        ("zoom-webhook", "user-signed-in.json"),
        ("zoom-webhook", "user-created.json"),
        ("zoom-webhook", "url-validation.json"),
    ]
)
header_names = st.sampled_from(
    [
        "X-Hub-Signature-256",
        "X-GitHub-Delivery",
        "x-zm-signature",
        "x-zm-request-timestamp",
        "Content-Type",
        "X-Other",
    ]
)


@st.composite
def garbage(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "source": draw(
            st.sampled_from(["github-webhook", "zoom-webhook", "okta-system-log", "nope", ""])
            | st.text(max_size=10)
        ),
        "method": draw(st.sampled_from(["POST", "GET", "PUT", "DELETE"])),
        "body": draw(st.binary(max_size=300)),
        "headers": draw(st.dictionaries(header_names, st.text(max_size=80), max_size=4)),
        "authentic": False,
    }


@st.composite
def authentic(draw: st.DrawFn) -> dict[str, Any]:
    source, name = draw(fixtures)
    if draw(st.booleans()):
        body = fixture_bytes(source, name)
    else:
        body = json.dumps(draw(json_values), ensure_ascii=draw(st.booleans())).encode("utf-8")
    if draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]  # truncated: authentic but not JSON
    return {
        "source": source,
        "method": "POST",
        "body": body,
        "authentic": True,
        "delivery": draw(st.sampled_from(["d-1", "d-2", "d-3"]) | st.uuids().map(str)),
    }


def _signed(world: WebhookWorld, request: dict[str, Any]) -> dict[str, str]:
    if request["source"] == "github-webhook":
        return github_headers(GITHUB_SECRET, request["body"], request["delivery"])
    return zoom_headers(ZOOM_SECRET, request["body"], int(world.clock()))


def _recorded(world: WebhookWorld, request: dict[str, Any], status: int, body: dict[str, Any]) -> None:
    delivery = request["delivery"] if request["source"] == "github-webhook" else None
    key = delivery_key(delivery, request["body"])
    letters = [
        letter for letter in world.dead_letters(request["source"]) if letter.run_id == f"webhook:{key}"
    ]
    published = world.published()
    if status == 202:
        assert body["received"] == body["published"] + body["dead_lettered"] + body["duplicates"]
        assert len(published) == body["published"]
        assert body["dead_lettered"] == 0 or letters
    elif status == 400:
        assert any(letter.error_kind == "unparseable_record" for letter in letters)
    else:
        assert status == 200 and published == []
        assert body.get("status") == "duplicate" or "plainToken" in body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=st.one_of(garbage(), authentic()))
def test_webhooks_never_answer_500_and_never_drop_an_authentic_event(
    world: WebhookWorld, request: dict[str, Any]
) -> None:
    world.published()  # start from an empty queue
    headers = _signed(world, request) if request["authentic"] else request["headers"]
    response = world.send(request["source"], request["body"], headers, method=request["method"])
    assert response.status in {200, 202, 400, 401, 404, 405, 409, 413}
    json.dumps(response.body)
    if request["authentic"]:
        _recorded(world, request, response.status, dict(response.body))
    else:  # unsigned garbage is never accepted, and nothing reaches the queue
        assert response.status not in {200, 202}
        assert world.published() == []
