"""A small JSONPath reader with the semantics Step Functions inherits from Jayway JsonPath.

It owns parsing a path into segments and evaluating it: a *definite* path (only names and indexes)
yields one value or fails; an *indefinite* path (wildcards, slices, unions, deep scans, filters)
yields a list of whatever matched, possibly empty. Roots are `$` (state data), `$$` (context
object) and `$name` (a variable), as in the JSONPath query language of ASL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.jsonpath_filter import compile_filter

_NAME = re.compile(r"[^.\[\]\s()]+")
_VAR_ROOT = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_MISSING = object()


class JsonPathSyntaxError(StatesError):
    """The path text is not a JSONPath this engine understands."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(StatesErrorName.RUNTIME, f"Invalid JSONPath '{path}': {reason}")


@dataclass(frozen=True)
class Segment:
    """One step of a path; `kind` is key, index, wildcard, slice, union, deep or filter."""

    kind: str
    key: str | int | None = None
    keys: tuple[str | int, ...] = ()
    bounds: tuple[int | None, int | None, int | None] = (None, None, None)
    predicate: Callable[[Any], bool] | None = None

    @property
    def definite(self) -> bool:
        return self.kind in ("key", "index", "length")


@dataclass(frozen=True)
class ParsedPath:
    """A parsed path: which root it reads (`$`, `$$` or a variable name) and its segments."""

    text: str
    root: str
    variable: str | None
    segments: tuple[Segment, ...]

    @property
    def definite(self) -> bool:
        return all(segment.definite for segment in self.segments)

    def normalized(self) -> str:
        """Jayway's normalised form (`$['a'][0]`), which AWS quotes in its error causes."""
        parts = []
        for segment in self.segments:
            if segment.kind == "index":
                parts.append(f"[{segment.key}]")
            elif segment.kind == "key":
                parts.append(f"['{segment.key}']")
            elif segment.kind == "wildcard":
                parts.append("[*]")
        return "$" + "".join(parts)


def parse(path: str) -> ParsedPath:
    """Parse `path`; raise JsonPathSyntaxError for text that is not a path."""
    if path.startswith("$$"):
        root, variable, rest = "$$", None, path[2:]
    elif match := _VAR_ROOT.match(path):
        root, variable, rest = "var", match.group(1), path[match.end() :]
    elif path.startswith("$"):
        root, variable, rest = "$", None, path[1:]
    else:
        raise JsonPathSyntaxError(path, "a path must start with '$'")
    return ParsedPath(path, root, variable, tuple(_Parser(path, rest).segments()))


class _Parser:
    def __init__(self, path: str, rest: str) -> None:
        self.path = path
        self.text = rest
        self.pos = 0

    def segments(self) -> Iterator[Segment]:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if self.text.startswith("..", self.pos):
                self.pos += 2
                yield self._deep()
            elif char == ".":
                self.pos += 1
                yield self._dotted()
            elif char == "[":
                yield self._bracket()
            else:
                raise JsonPathSyntaxError(self.path, f"unexpected '{char}' at {self.pos}")

    def _deep(self) -> Segment:
        if self.pos < len(self.text) and self.text[self.pos] == "[":
            inner = self._bracket()
            return Segment("deep", key=inner.key if inner.kind == "key" else None)
        if self.text.startswith("*", self.pos):
            self.pos += 1
            return Segment("deep")
        return Segment("deep", key=self._name())

    def _dotted(self) -> Segment:
        # Jayway reads the token after a single dot afresh, so `$.abc.['def ghi']` (the form the
        # intrinsic-functions page shows for names that need brackets) is `$.abc['def ghi']`.
        if self.text.startswith("[", self.pos):
            return self._bracket()
        if self.text.startswith("*", self.pos):
            self.pos += 1
            return Segment("wildcard")
        name = self._name()
        if name == "length()":
            return Segment("length")
        return Segment("key", key=name)

    def _name(self) -> str:
        if self.text.startswith("length()", self.pos):
            self.pos += len("length()")
            return "length()"
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise JsonPathSyntaxError(self.path, f"expected a name at {self.pos}")
        self.pos = match.end()
        return match.group(0)

    def _bracket(self) -> Segment:
        end = _closing_bracket(self.text, self.pos)
        if end < 0:
            raise JsonPathSyntaxError(self.path, "unclosed '['")
        inner = self.text[self.pos + 1 : end].strip()
        self.pos = end + 1
        if inner == "*":
            return Segment("wildcard")
        if inner.startswith("?"):
            return Segment("filter", predicate=compile_filter(self.path, inner[1:].strip(), _filter_operand))
        if ":" in inner and not inner.startswith(("'", '"')):
            return Segment("slice", bounds=_slice_bounds(self.path, inner))
        keys = tuple(_bracket_key(self.path, part) for part in _split_union(inner))
        if len(keys) == 1:
            return Segment("index" if isinstance(keys[0], int) else "key", key=keys[0])
        return Segment("union", keys=keys)


def _closing_bracket(text: str, start: int) -> int:
    depth, quote = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == "\\":
                continue
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split_union(inner: str) -> list[str]:
    parts, current, quote = [], "", ""
    for char in inner:
        if quote:
            quote = "" if char == quote and not current.endswith("\\") else quote
        elif char in "'\"":
            quote = char
        elif char == ",":
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return parts


def _bracket_key(path: str, part: str) -> str | int:
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "'\"":
        # Jayway only unescapes the quote that delimits the name; other backslashes stay literal.
        return part[1:-1].replace("\\" + part[0], part[0])
    try:
        return int(part)
    except ValueError:
        raise JsonPathSyntaxError(path, f"'{part}' is neither a quoted name nor an index") from None


def _slice_bounds(path: str, inner: str) -> tuple[int | None, int | None, int | None]:
    pieces = [piece.strip() for piece in inner.split(":")]
    if len(pieces) > 3:
        raise JsonPathSyntaxError(path, f"bad slice '{inner}'")
    try:
        values = [int(piece) if piece else None for piece in pieces]
    except ValueError:
        raise JsonPathSyntaxError(path, f"bad slice '{inner}'") from None
    values += [None] * (3 - len(values))
    return values[0], values[1], values[2]


def evaluate(parsed: ParsedPath, root: Any) -> Any:
    """Evaluate against `root`; return the value (definite) or list of matches, or _MISSING."""
    current: list[Any] = [root]
    for segment in parsed.segments:
        current = [child for value in current for child in _step(segment, value)]
        if parsed.definite and not current:
            return _MISSING
    if parsed.definite:
        return current[0] if current else _MISSING
    return current


def is_missing(value: Any) -> bool:
    return value is _MISSING


def _step(segment: Segment, value: Any) -> Iterator[Any]:
    kind = segment.kind
    if kind == "key":
        if isinstance(value, Mapping) and segment.key in value:
            yield value[segment.key]
    elif kind == "index":
        yield from _index(value, segment.key)
    elif kind == "wildcard":
        yield from _children(value)
    elif kind == "union":
        for key in segment.keys:
            yield from _step(Segment("index" if isinstance(key, int) else "key", key=key), value)
    elif kind == "slice":
        if isinstance(value, list):
            start, stop, step = segment.bounds
            yield from value[slice(start, stop, step)]
    elif kind == "deep":
        yield from _deep(value, segment.key)
    elif kind == "filter":
        assert segment.predicate is not None
        yield from (child for child in _children(value) if segment.predicate(child))
    elif kind == "length" and isinstance(value, (list, str, Mapping)):
        yield len(value)


def _index(value: Any, key: Any) -> Iterator[Any]:
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        yield value[key]


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def _deep(value: Any, key: Any) -> Iterator[Any]:
    if key is None:
        for child in _children(value):
            yield child
            yield from _deep(child, None)
        return
    if isinstance(value, Mapping) and key in value:
        yield value[key]
    for child in _children(value):
        yield from _deep(child, key)


def _filter_operand(text: str) -> Callable[[Any], tuple[bool, Any]]:
    """What a filter's `@` sub-path reads from one element: (found, value)."""
    parsed = parse(text)

    def read_one(item: Any) -> tuple[bool, Any]:
        value = evaluate(parsed, item)
        return not is_missing(value), value

    return read_one


def read(path: str, root: Any) -> Any:
    """Parse and evaluate in one call; return `_MISSING` when a definite path matched nothing."""
    return evaluate(parse(path), root)


__all__: Sequence[str] = ("JsonPathSyntaxError", "ParsedPath", "evaluate", "is_missing", "parse", "read")
