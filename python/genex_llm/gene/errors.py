"""Where Gene source went wrong: source locations, syntax errors, and thrown Gene exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import GeneException


@dataclass(frozen=True)
class Location:
    """A position in Gene source; lines and columns count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class GeneSyntaxError(Exception):
    """The reader could not read the source; ``location`` is where the problem is."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: syntax error: {self.message}"


class GeneThrow(Exception):
    """A Gene exception unwinding the evaluator, with the innermost expression that raised it.

    ``error`` is the exception as Gene code sees it (``$ex``); every
    :class:`genex_llm.GeneException` raised while evaluating becomes one.
    """

    def __init__(self, error: GeneException, location: Location) -> None:
        super().__init__(error.message)
        self.error = error
        self.location = location
