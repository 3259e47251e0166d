"""Fixed vocabularies the event generators draw from: people, places, networks, devices.

Kept as plain tuples so generation stays deterministic for a given seed on every platform.
"""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    city: str
    state: str
    country: str
    country_code: str
    postal_code: str
    lat: float
    lon: float


class Network(NamedTuple):
    as_number: int
    as_org: str
    isp: str
    domain: str
    first_octets: tuple[int, int]


class Agent(NamedTuple):
    raw: str
    os_name: str
    os_version: str
    browser: str
    browser_version: str


FIRST_NAMES: tuple[str, ...] = (
    "Ada", "Bashir", "Camille", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kavya", "Liam", "Mei", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Okafor", "Lindqvist", "Moreau", "Ivanova", "Haddad", "Nakamura", "Ferreira", "Schmidt",
    "Kowalski", "Singh", "O'Brien", "Rossi", "Chen", "Novak", "Garcia", "Mensah", "Dubois", "Tanaka",
)  # fmt: skip

PLACES: tuple[Place, ...] = (
    Place("San Francisco", "California", "United States", "US", "94107", 37.7697, -122.3933),
    Place("Portland", "Oregon", "United States", "US", "97205", 45.5202, -122.6742),
    Place("Toronto", "Ontario", "Canada", "CA", "M5V", 43.6426, -79.3871),
    Place("Berlin", "Land Berlin", "Germany", "DE", "10115", 52.5321, 13.3849),
    Place("Paris", "Ile-de-France", "France", "FR", "75002", 48.8681, 2.3447),
    Place("London", "England", "United Kingdom", "GB", "EC1A", 51.5194, -0.0992),
    Place("Taipei", "Taipei City", "Taiwan", "TW", "100", 25.0478, 121.5319),
    Place("Sao Paulo", "Sao Paulo", "Brazil", "BR", "01310", -23.5614, -46.6559),
    Place("Lagos", "Lagos", "Nigeria", "NG", "100001", 6.4541, 3.3947),
    Place("Sydney", "New South Wales", "Australia", "AU", "2000", -33.8688, 151.2093),
)

NETWORKS: tuple[Network, ...] = (
    Network(7922, "comcast cable communications llc", "comcast", "comcast.net", (73, 15)),
    Network(16509, "amazon.com, inc.", "amazon", "amazonaws.com", (54, 201)),
    Network(3320, "deutsche telekom ag", "deutsche telekom ag", "t-online.de", (87, 160)),
    Network(5410, "bouygues telecom sa", "bouygues telecom", "bbox.fr", (89, 87)),
    Network(2856, "british telecommunications plc", "bt", "btcentralplus.com", (86, 151)),
    Network(577, "bell canada", "bell canada", "bell.ca", (142, 114)),
    Network(3462, "data communication business group", "chunghwa telecom", "hinet.net", (114, 36)),
    Network(1221, "telstra corporation ltd", "telstra internet", "bigpond.net.au", (120, 155)),
)

AGENTS: tuple[Agent, ...] = (
    Agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mac OS X", "10.15", "FIREFOX", "128.0",
    ),
    Agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        "Windows 10", "10.0", "CHROME", "126.0.0.0",
    ),
    Agent(
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Linux", "6.8", "FIREFOX", "127.0",
    ),
    Agent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "iOS", "17.5", "MOBILE_SAFARI", "17.5",
    ),
    Agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Safari/537.36",
        "Mac OS X", "10.15.7", "CHROME", "125.0.0.0",
    ),
)  # fmt: skip

APPLICATIONS: tuple[str, ...] = (
    "Slack", "GitHub Enterprise", "AWS IAM Identity Center", "Google Workspace", "Jira Cloud",
    "Zoom", "Salesforce", "Workday",
)  # fmt: skip
