"""Errors raised while loading a source definition: each names the file, the key, the value and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventframework.errors import EventFrameworkError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file.

    ``path`` is the JSON path of the offending key in dotted form (``pagination.type``, ``$`` for the
    whole document), ``value`` the bad value as found (``None`` when a key is missing) and ``fix`` a
    sentence telling the author what to write instead.
    """

    path: str
    value: Any
    problem: str
    fix: str

    def render(self, file: str) -> str:
        return f"{file}: {self.path}: {self.problem}; {self.fix}"


class DefinitionError(EventFrameworkError):
    """A source definition (or its raw-event schema) is missing, unreadable or invalid.

    Not retryable: a person has to edit the file. ``problems`` lists every problem found in one pass
    so the author can fix them all at once; ``path``/``value``/``fix`` repeat the first for callers
    that only want one.
    """

    def __init__(self, file: str, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("DefinitionError needs at least one problem")
        self.file = file
        self.problems = tuple(problems)
        first = problems[0]
        self.path = first.path
        self.value = first.value
        self.fix = first.fix
        super().__init__("\n".join(p.render(file) for p in problems))

    @classmethod
    def single(cls, file: str, path: str, value: Any, problem: str, fix: str) -> DefinitionError:
        return cls(file, [Problem(path=path, value=value, problem=problem, fix=fix)])
