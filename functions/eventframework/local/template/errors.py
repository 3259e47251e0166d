"""The error of template reading: shared by the loader (cfn) and the transform it applies first."""

from __future__ import annotations

from eventframework.errors import EventFrameworkError


class TemplateError(EventFrameworkError):
    """A template construct a local run cannot evaluate, named by where it was found."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")
