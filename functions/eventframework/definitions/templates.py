"""Parsing of ``{dotted.path}`` templates (summary, category, hostname, ...).

Parsed once at load time into literal text and path references, so the hot path only joins strings.
``{{`` and ``}}`` stand for literal braces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEGMENT = r"(?:[A-Za-z0-9_@$-]+|\[[^\[\]{}]+\])"  # a key, or a bracketed key or selector
_PLACEHOLDER = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")


@dataclass(frozen=True)
class Placeholder:
    path: str


class TemplateSyntaxError(ValueError):
    """The template has an unbalanced brace or an empty/invalid placeholder at ``offset``."""

    def __init__(self, offset: int, reason: str) -> None:
        self.offset = offset
        self.reason = reason
        super().__init__(f"{reason} at character {offset}")


def parse_template(text: str) -> tuple[str | Placeholder, ...]:
    """Split ``text`` into literal strings and placeholders, merging adjacent literals."""
    parts: list[str | Placeholder] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i : i + 2] in ("{{", "}}"):
            literal.append(char)
            i += 2
            continue
        if char == "}":
            raise TemplateSyntaxError(i, "unmatched '}' (write '}}' for a literal brace)")
        if char == "{":
            end = text.find("}", i)
            if end < 0:
                raise TemplateSyntaxError(i, "unclosed '{' (write '{{' for a literal brace)")
            name = text[i + 1 : end]
            if not _PLACEHOLDER.fullmatch(name):
                raise TemplateSyntaxError(i, f"'{{{name}}}' is not a dotted path such as {{actor.name}}")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Placeholder(name))
            i = end + 1
            continue
        literal.append(char)
        i += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)
