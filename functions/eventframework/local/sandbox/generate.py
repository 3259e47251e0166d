"""Deterministic building blocks shared by the event generators: per-event RNG, people, addresses.

Each event is a pure function of (seed, source, ingestion position, event time): regenerating it
gives the same bytes, which is what lets the ground truth be computed instead of stored.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from eventframework.local.sandbox.pools import FIRST_NAMES, LAST_NAMES, NETWORKS, Network

ORG_DOMAIN = "sandbox-corp.example"
PEOPLE_PER_ORG = 240
T = TypeVar("T")


def event_rng(seed: int, salt: int, position: int) -> random.Random:
    """A generator private to one event: int seeding is fast and identical across platforms."""
    return random.Random((((seed & 0xFFFFFFFF) << 16 | salt) << 40) | position)


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """`rng.choice` without its pure-Python rejection sampling: a measurable cost at 1M events."""
    return options[int(rng.random() * len(options))]


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


OKTA_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TABLES: dict[str, bytes] = {}


def random_token(rng: random.Random, length: int, alphabet: str) -> str:
    """`length` characters of `alphabet`; one getrandbits call and a byte translation, because
    per-character `choice` made generation the bottleneck of million-event benchmarks."""
    table = _TABLES.get(alphabet)
    if table is None:
        table = bytes(ord(alphabet[byte % len(alphabet)]) for byte in range(256))
        _TABLES[alphabet] = table
    raw = rng.getrandbits(8 * length).to_bytes(length, "big")
    return raw.translate(table).decode("ascii")


def random_hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


@dataclass(frozen=True)
class Person:
    okta_id: str
    op_uuid: str
    name: str
    email: str


def make_people(seed: int, salt: int) -> tuple[Person, ...]:
    """The organisation's staff for one seed: the same people appear across many events."""
    rng = random.Random(((seed & 0xFFFFFFFF) << 16) | salt)
    people = []
    for index in range(PEOPLE_PER_ORG):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = f"{first}.{last}".lower().replace("'", "")
        people.append(
            Person(
                okta_id="00u" + random_token(rng, 17, OKTA_ID_ALPHABET),
                op_uuid=random_token(rng, 26, BASE32_ALPHABET),
                name=f"{first} {last}",
                email=f"{handle}{index if index >= 26 else ''}@{ORG_DOMAIN}",
            )
        )
    return tuple(people)


def random_address(rng: random.Random) -> tuple[str, Network]:
    """A public IPv4 address inside one of the known networks, with that network."""
    network = pick(rng, NETWORKS)
    first, second = network.first_octets
    return f"{first}.{second}.{rng.randint(0, 255)}.{rng.randint(1, 254)}", network


def iso_millis(epoch_ms: int) -> str:
    """Okta's time format: UTC, millisecond precision, `Z` suffix."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def rfc3339_micros(epoch_ms: int, micros: int) -> str:
    """1Password's time format: UTC with sub-second digits and `Z`."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{(epoch_ms % 1000) * 1000 + micros:06d}Z"
