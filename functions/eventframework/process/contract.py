"""The MozDef contract's limits as constants, read by the mapping, its generated builder and the fast check.

``schemas/mozdef-event.schema.json`` is the contract; this module writes down the parts that code
acts on (the cuts the mapping makes, the checks the fast paths stand in for), once, and
``tests/unit/process/test_mapping_rules_once.py`` holds every constant here to the schema.
"""

from __future__ import annotations

import re

from eventframework.definitions.model import SEVERITIES

TOP_KEYS = frozenset(
    (
        "category",
        "details",
        "hostname",
        "processid",
        "processname",
        "severity",
        "source",
        "summary",
        "tags",
        "timestamp",
        "utctimestamp",
    )
)
# The longest text the schema allows in each top-level text field; the mapping cuts templates there.
CATEGORY_CHARS = 256
HOSTNAME_CHARS = 512
PROCESSNAME_CHARS = 512
SOURCE_CHARS = 256
SEVERITY_NAMES = frozenset(SEVERITIES)
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
NON_SPACE = re.compile(r"\S")  # the schema's summary pattern
IP_KEYS = ("sourceipaddress", "destinationipaddress")  # details keys the index types as IP addresses
IP_SCHEMA = {"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}  # what those hold
