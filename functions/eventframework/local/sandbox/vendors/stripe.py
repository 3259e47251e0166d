"""Sandbox profile of Stripe's events: `GET /v1/events` (https://docs.stripe.com/api/events/list).

`Authorization: Bearer <secret or restricted key>`. Events are listed newest first, going back up to
30 days; `created[gte]` (an integer, epoch seconds) bounds the listing from below, `limit` is 1 to
100 (default 10; Stripe refuses a value outside that range rather than clamping it), and a listing
continues with `starting_after=<id of the last event of the previous page>` together with the same
filters; the list object's `has_more` says whether older events remain. Stripe's error document is
`{"error": {"type", "message", "param"?, "code"?}}`; a rate-limited request gets 429 with code
`rate_limit` (https://docs.stripe.com/rate-limits).

The event id carries the stream position in its last six characters (base 62), so the API finds its
place from `starting_after` without an index; the lower bound applies to ingestion time, so an event
that arrives late is never hidden behind a cursor.
"""

from __future__ import annotations

import hmac
from typing import Any, ClassVar

from eventframework.local.sandbox.api import ApiRequest, BadRequest, Profile, Reply
from eventframework.local.sandbox.catalogue_api import CatalogueApi, require_param
from eventframework.local.sandbox.catalogue_events import cumulative, weighted
from eventframework.local.sandbox.generate import event_rng, make_people, pick, random_token
from eventframework.local.sandbox.pools import PLACES

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
POSITION_CHARS = 6
MAX_LIMIT = 100
API_VERSION = "2024-06-20"


def stripe_id(prefix: str, rng_part: str, position: int) -> str:
    """`<prefix>_1<random><position in base 62>`: the shape of Stripe's 24-character object ids."""
    digits = []
    for _ in range(POSITION_CHARS):
        position, rest = divmod(position, len(ALNUM))
        digits.append(ALNUM[rest])
    return f"{prefix}_1{rng_part}{''.join(reversed(digits))}"


def stripe_position(event_id: str) -> int | None:
    """The stream position an event id of this sandbox carries (None for any other id)."""
    if not event_id.startswith("evt_1") or len(event_id) != 28:
        return None
    position = 0
    for char in event_id[-POSITION_CHARS:]:
        index = ALNUM.find(char)
        if index < 0:
            return None
        position = position * len(ALNUM) + index
    return position


def _integer(query: dict[str, str], name: str) -> int:
    value = query[name]
    if not value.isdigit():
        raise BadRequest(name, f"Invalid integer: {value}")
    return int(value)


class StripeEventsApi(CatalogueApi):
    """`GET /v1/events?created[gte]=<epoch s>&limit=N`, continued by `starting_after=<event id>`."""

    source_id: ClassVar[str] = "stripe-events"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "/v1/events"

    def authorized(self, request: ApiRequest) -> bool:
        return hmac.compare_digest(request.authorization or "", f"Bearer {self._token}")

    def page_number(self, request: ApiRequest) -> int | None:
        """Page 1 has no `starting_after`; continuations carry no page count (None)."""
        return 1 if "starting_after" not in request.query else None

    def page(self, request: ApiRequest, now: float, link_host: str | None) -> Reply:
        query = request.query
        for unsupported in ("created", "created[gt]", "created[lt]", "created[lte]", "ending_before"):
            if unsupported in query:
                raise BadRequest(unsupported, "the sandbox lists by created[gte] and starting_after only")
        since = _integer(query, "created[gte]") * 1000 if "created[gte]" in query else 0
        limit = _integer(query, "limit") if "limit" in query else 10
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest("limit", f"This value must be between 1 and {MAX_LIMIT}.")
        low = self.stream.first_ingested_at_or_after(since)
        if "starting_after" in query:
            position = stripe_position(require_param(query, "starting_after"))
            if position is None or position >= len(self.stream):
                raise BadRequest("starting_after", f"No such event: '{query['starting_after']}'")
            top = position
        else:
            top = len(self.stream)
        positions = list(range(top - 1, max(low, top - limit) - 1, -1))
        body = {
            "object": "list",
            "data": self.stream.events(positions),
            "has_more": bool(positions) and positions[-1] > low,
            "url": self.path,
        }
        return Reply.json(200, body)

    def error_body(self, status: int, detail: str | None = None) -> Any:
        if status == 401:
            error = {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_live_****"}
        elif status == 429:
            error = {
                "type": "invalid_request_error",
                "code": "rate_limit",
                "message": "Request rate limit exceeded. Learn more about rate limits here "
                "https://stripe.com/docs/rate-limits.",
            }
        elif status == 400:
            param, _, message = (detail or "request: invalid").partition(": ")
            error = {"type": "invalid_request_error", "param": param, "message": message}
        else:
            error = {"type": "api_error", "message": "An unknown error occurred"}
        return {"error": error}


# (event type, object type, has a request, weight): dashboard and API changes carry the request
# that made them; payouts, early fraud warnings and balance changes are Stripe's own (request null).
STRIPE_TYPES = (
    ("charge.succeeded", "charge", True, 30),
    ("payment_intent.succeeded", "payment_intent", True, 20),
    ("customer.created", "customer", True, 8),
    ("customer.updated", "customer", True, 6),
    ("charge.failed", "charge", True, 6),
    ("payout.created", "payout", False, 4),
    ("payout.paid", "payout", False, 4),
    ("charge.refunded", "charge", True, 3),
    ("customer.deleted", "customer", True, 3),
    ("account.updated", "account", True, 3),
    ("payout.failed", "payout", False, 2),
    ("charge.dispute.created", "dispute", False, 2),
    ("account.external_account.updated", "bank_account", True, 2),
    ("radar.early_fraud_warning.created", "radar.early_fraud_warning", False, 1),
    ("review.opened", "review", False, 2),
)
STRIPE_TYPES_CUMULATIVE = cumulative(STRIPE_TYPES)
OBJECT_PREFIXES = {
    "charge": "ch",
    "payment_intent": "pi",
    "customer": "cus",
    "payout": "po",
    "account": "acct",
    "dispute": "du",
    "bank_account": "ba",
    "radar.early_fraud_warning": "issfr",
    "review": "prv",
}
SALT = 0x5791


class StripeEventFactory:
    """Snapshot events shaped like Stripe's Event object: id, object, api_version, created (epoch s),
    data.object (a small rendering of the resource) and, for updates, data.previous_attributes,
    livemode, pending_webhooks, request {id, idempotency_key} (null ids for automatic events), type."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._people = make_people(seed, SALT)

    def __call__(self, position: int, event_ms: int) -> dict[str, Any]:
        rng = event_rng(self._seed, SALT, position)
        kind, object_type, by_request, _ = weighted(rng, STRIPE_TYPES, STRIPE_TYPES_CUMULATIVE)
        person = pick(rng, self._people)
        created = event_ms // 1000
        resource: dict[str, Any] = {
            "id": f"{OBJECT_PREFIXES[object_type]}_1{random_token(rng, 23, ALNUM)}",
            "object": object_type,
            "created": created,
            "livemode": True,
        }
        if object_type in ("charge", "payment_intent", "payout", "dispute"):
            resource |= {"amount": rng.randint(5, 4000) * 100, "currency": pick(rng, ("usd", "eur", "gbp"))}
        if object_type == "customer":
            resource |= {"email": person.email, "name": person.name}
        if object_type == "account":
            resource |= {
                "email": f"billing@{person.email.split('@', 1)[1]}",
                "country": pick(rng, PLACES).country_code,
            }
        data: dict[str, Any] = {"object": resource}
        if kind.endswith(".updated"):
            data["previous_attributes"] = (
                {"email": f"old.{person.email}"}
                if object_type == "customer"
                else {"default_for_currency": False}
            )
        request_id = f"req_{random_token(rng, 14, ALNUM)}" if by_request else None
        return {
            "id": stripe_id("evt", random_token(rng, 17, ALNUM), position),
            "object": "event",
            "api_version": API_VERSION,
            "created": created,
            "data": data,
            "livemode": True,
            "pending_webhooks": rng.randint(0, 2),
            "request": {
                "id": request_id,
                "idempotency_key": random_token(rng, 36, ALNUM) if by_request else None,
            },
            "type": kind,
        }


PROFILES: dict[str, Profile] = {StripeEventsApi.source_id: (StripeEventsApi, StripeEventFactory)}
