"""JSONPath filter expressions (`[?(@.price < 10 && @.tag == 'x')]`) compiled to Python predicates.

Supports what AWS documents for ASL paths: `@` sub-paths, existence tests, the comparison
operators `== != < <= > >=`, `=~ /regex/`, `in`/`nin` against array literals, `!`, `&&`, `||` and
parentheses, with string, number, boolean and null literals.

`@` sub-paths are read by the reader the caller passes (the JSONPath module's own evaluation), so this
module depends on nothing of it: the path module imports the filter module, not the reverse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from eventframework.local.engine.errors import StatesError, StatesErrorName

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|[^'])*'|\"(?:\\.|[^\"])*\")|(?P<regex>/(?:\\.|[^/])*/[a-z]*)"
    r"|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<path>[@$][^\s=!<>&|()]*)"
    r"|(?P<op>==|!=|<=|>=|=~|<|>|&&|\|\||!|\(|\)|\[|\]|,)|(?P<word>[A-Za-z_]+))"
)
Predicate = Callable[[Any], bool]
Operand = Callable[[Any], Any]
# A `@` sub-path, given as "$..." text, compiled to: element -> (found, value).
PathReader = Callable[[str], Callable[[Any], tuple[bool, Any]]]
_ABSENT = object()


def compile_filter(path: str, text: str, read_path: PathReader) -> Predicate:
    """Compile the body of a `?(...)` filter into a predicate over one candidate element."""
    body = text[1:-1] if text.startswith("(") and text.endswith(")") else text
    tokens = _tokenize(path, body)
    parser = _FilterParser(path, tokens, read_path)
    predicate = parser.expression()
    if parser.pos != len(tokens):
        raise _error(path, f"unexpected '{tokens[parser.pos][1]}' in filter")
    return predicate


def _error(path: str, reason: str) -> StatesError:
    return StatesError(StatesErrorName.RUNTIME, f"Invalid JSONPath '{path}': {reason}")


def _tokenize(path: str, text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _error(path, f"cannot read filter at '{text[pos:]}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _FilterParser:
    def __init__(self, path: str, tokens: list[tuple[str, str]], read_path: PathReader) -> None:
        self.read_path = read_path
        self.path = path
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _error(self.path, "filter ends too early")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expression(self) -> Predicate:
        left = self._conjunction()
        while self._peek() == "||":
            self._take()
            left = _either(left, self._conjunction())
        return left

    def _conjunction(self) -> Predicate:
        left = self._unary()
        while self._peek() == "&&":
            self._take()
            left = _both(left, self._unary())
        return left

    def _unary(self) -> Predicate:
        if self._peek() == "!":
            self._take()
            inner = self._unary()
            return lambda item: not inner(item)
        if self._peek() == "(":
            self._take()
            inner = self.expression()
            if self._take()[1] != ")":
                raise _error(self.path, "expected ')' in filter")
            return inner
        return self._comparison()

    def _comparison(self) -> Predicate:
        left = self._operand()
        operator = self._peek()
        if operator not in ("==", "!=", "<", "<=", ">", ">=", "=~", "in", "nin"):
            return lambda item: _truthy(left(item))
        self._take()
        if operator == "=~":
            kind, text = self._take()
            if kind != "regex":
                raise _error(self.path, "=~ needs a /regex/")
            regex = _compile_regex(text)
            return lambda item: isinstance(value := left(item), str) and bool(regex.fullmatch(value))
        right = self._operand()
        return lambda item: _compare(operator, left(item), right(item))

    def _operand(self) -> Operand:
        kind, text = self._take()
        if kind == "path":
            return self._path_operand(text)
        if kind == "str":
            literal = text[1:-1].replace("\\'", "'").replace('\\"', '"')
            return lambda _item: literal
        if kind == "num":
            number = float(text) if any(c in text for c in ".eE") else int(text)
            return lambda _item: number
        if kind == "word" and text in ("true", "false", "null"):
            value = json.loads(text)
            return lambda _item: value
        if text == "[":
            return self._array_literal()
        raise _error(self.path, f"unexpected '{text}' in filter")

    def _array_literal(self) -> Operand:
        items: list[Operand] = []
        while self._peek() != "]":
            items.append(self._operand())
            if self._peek() == ",":
                self._take()
        self._take()
        return lambda item: [operand(item) for operand in items]

    def _path_operand(self, text: str) -> Operand:
        read = self.read_path("$" + text[1:])

        def operand(item: Any) -> Any:
            found, value = read(item)
            return value if found else _ABSENT

        return operand


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda item: first(item) or second(item)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda item: first(item) and second(item)


def _compile_regex(text: str) -> re.Pattern[str]:
    body, flags_text = text[1 : text.rindex("/")], text[text.rindex("/") + 1 :]
    flags = re.IGNORECASE if "i" in flags_text else 0
    return re.compile(body, flags)


def _truthy(value: Any) -> bool:
    return value is not _ABSENT


def _compare(operator: str, left: Any, right: Any) -> bool:
    if left is _ABSENT or right is _ABSENT:
        return operator == "!=" and left is not right
    if operator == "in":
        return isinstance(right, list) and left in right
    if operator == "nin":
        return isinstance(right, list) and left not in right
    if operator in ("==", "!="):
        equal = _same_kind(left, right) and left == right
        return equal if operator == "==" else not equal
    if not _ordered(left, right):
        return False
    outcome: bool = {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[operator]
    return outcome


def _same_kind(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right)
    numeric = (int, float)
    return (isinstance(left, numeric) and isinstance(right, numeric)) or type(left) is type(right)


def _ordered(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    numeric = (int, float)
    both_numbers = isinstance(left, numeric) and isinstance(right, numeric)
    return both_numbers or (isinstance(left, str) and isinstance(right, str))
