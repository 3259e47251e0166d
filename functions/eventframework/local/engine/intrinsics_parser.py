"""Lexer and parser for intrinsic function calls (`States.Format('{}', $.x)`) into a small AST.

Two stages, as in jmespath.py: `tokenize` turns the text into tokens that remember where they
started, `parse` turns tokens into frozen AST nodes. Every syntax error names the offset and shows
a caret under the failing spot, because these strings live inside JSON definitions where a typo is
otherwise hard to find. Parsing is pure and cached: a definition's expressions are parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eventframework.local.engine.errors import StatesError, StatesErrorName

# Characters that end a path argument when not inside brackets or quotes.
_PATH_TERMINATORS = frozenset(",)")
# Escapes allowed inside a single-quoted literal; `\{` and `\}` keep Format from seeing a placeholder.
_ESCAPABLE = frozenset("'{}\\")
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
MAX_NESTING = 10


class IntrinsicSyntaxError(StatesError):
    """An intrinsic expression that cannot be parsed; `position` is the 0-based offset of the fault.

    It is a `StatesError` (States.IntrinsicFailure) so that an engine meeting it at run time fails
    the execution the way AWS would have refused the definition, with the spot in the message.
    """

    def __init__(self, expression: str, position: int, reason: str) -> None:
        self.expression = expression
        self.position = position
        self.reason = reason
        pointer = " " * position + "^"
        super().__init__(
            StatesErrorName.INTRINSIC_FAILURE,
            f"Invalid intrinsic function at position {position}: {reason}\n{expression}\n{pointer}",
        )


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme: `kind` is one of name, string, number, literal, path, lparen, rparen, comma, eof."""

    kind: str
    value: Any
    position: int
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant argument. For strings, `raw` keeps the escapes so Format can tell `\\{` from `{`."""

    value: Any
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class PathArgument:
    """A `$.x`, `$$.x` or `$var` argument, resolved against the state input at evaluation time."""

    path: str


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """`States.Name(args...)`; `position` is where the name starts, for error messages."""

    name: str
    args: tuple[Node, ...]
    position: int


Node = Literal | PathArgument | FunctionCall


class _Lexer:
    """Splits an expression into tokens; one instance per expression."""

    def __init__(self, expression: str) -> None:
        self.text = expression
        self.pos = 0

    def fail(self, reason: str, position: int | None = None) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(self.text, self.pos if position is None else position, reason)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            token = self.next_token()
            out.append(token)
            if token.kind == "eof":
                return out

    def next_token(self) -> Token:
        text = self.text
        while self.pos < len(text) and text[self.pos].isspace():
            self.pos += 1
        start = self.pos
        if start >= len(text):
            return Token("eof", None, start)
        char = text[start]
        simple = {"(": "lparen", ")": "rparen", ",": "comma"}
        if char in simple:
            self.pos += 1
            return Token(simple[char], char, start)
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if char == "-" or char.isdigit():
            return self.number()
        if char.isalpha():
            return self.word()
        raise self.fail(f"unexpected character {char!r}")

    def string(self) -> Token:
        start = self.pos
        self.pos += 1
        value: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                escaped = self.text[self.pos + 1 : self.pos + 2]
                if escaped not in _ESCAPABLE or not escaped:
                    raise self.fail("only \\' \\{ \\} and \\\\ may be escaped in a string literal")
                value.append(escaped)
                self.pos += 2
                continue
            if char == "'":
                self.pos += 1
                raw = self.text[start + 1 : self.pos - 1]
                return Token("string", "".join(value), start, raw)
            value.append(char)
            self.pos += 1
        raise self.fail("unterminated string literal (missing closing ')", start)

    def path(self) -> Token:
        start = self.pos
        depth = 0
        quote: str | None = None
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"" and depth > 0:
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            elif depth == 0 and (char in _PATH_TERMINATORS or char.isspace()):
                break
            self.pos += 1
        if depth != 0 or quote:
            raise self.fail("unbalanced brackets or quotes in path", start)
        path = self.text[start : self.pos]
        return Token("path", path, start, path)

    def number(self) -> Token:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text) and (self.text[self.pos].isdigit() or self.text[self.pos] in ".eE+-"):
            self.pos += 1
        raw = self.text[start : self.pos]
        try:
            value: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            raise self.fail(f"invalid number {raw!r}", start) from None
        return Token("number", value, start, raw)

    def word(self) -> Token:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "._"):
            self.pos += 1
        raw = self.text[start : self.pos]
        if raw in _KEYWORDS:
            return Token("literal", _KEYWORDS[raw], start, raw)
        return Token("name", raw, start, raw)


def tokenize(expression: str) -> list[Token]:
    """The token list of `expression`, ending with an `eof` token."""
    return _Lexer(expression).tokens()


class _Parser:
    """Recursive descent over the token list: call := NAME '(' [arg (',' arg)*] ')'."""

    def __init__(self, expression: str, tokens: list[Token]) -> None:
        self.text = expression
        self.tokens = tokens
        self.index = 0

    def fail(self, token: Token, reason: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(self.text, token.position, reason)

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            found = "end of expression" if token.kind == "eof" else repr(token.raw or token.value)
            raise self.fail(token, f"expected {what}, found {found}")
        self.index += 1
        return token

    def call(self, depth: int) -> FunctionCall:
        name = self.take("name", "an intrinsic function name such as States.Format")
        if not name.value.startswith("States."):
            raise self.fail(name, f"{name.value!r} is not an intrinsic function (names start with 'States.')")
        if depth > MAX_NESTING:
            raise self.fail(name, f"intrinsic functions nest at most {MAX_NESTING} deep")
        self.take("lparen", "'(' after the function name")
        args: list[Node] = []
        if self.peek().kind != "rparen":
            args.append(self.argument(depth))
            while self.peek().kind == "comma":
                self.index += 1
                args.append(self.argument(depth))
        self.take("rparen", "',' or ')'")
        return FunctionCall(name.value, tuple(args), name.position)

    def argument(self, depth: int) -> Node:
        token = self.peek()
        if token.kind == "name":
            return self.call(depth + 1)
        if token.kind == "path":
            self.index += 1
            return PathArgument(token.value)
        if token.kind == "string":
            self.index += 1
            return Literal(token.value, token.raw)
        if token.kind in ("number", "literal"):
            self.index += 1
            return Literal(token.value)
        found = "end of expression" if token.kind == "eof" else repr(token.value)
        raise self.fail(
            token, f"expected an argument (function, path, string, number, boolean, null), found {found}"
        )


@lru_cache(maxsize=4096)
def parse(expression: str) -> FunctionCall:
    """Parse a whole intrinsic expression; anything after the closing parenthesis is an error."""
    parser = _Parser(expression, tokenize(expression))
    call = parser.call(depth=1)
    trailing = parser.peek()
    if trailing.kind != "eof":
        raise parser.fail(trailing, "unexpected text after the closing ')'")
    return call


def looks_like_intrinsic(value: str) -> bool:
    """Whether a `.$` field value is an intrinsic call rather than a path (AWS decides by prefix)."""
    return value.lstrip().startswith("States.")
