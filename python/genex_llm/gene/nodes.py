"""The syntax tree the reader produces: Gene source forms, each with its location."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple, Union

from .errors import Location

LiteralValue = Union[None, bool, int, float, str]


@dataclass(frozen=True)
class Node:
    """A form read from source."""

    location: Location


@dataclass(frozen=True)
class Literal(Node):
    """``nil``, ``true``, ``false``, a number or a string."""

    value: LiteralValue


@dataclass(frozen=True)
class SymbolNode(Node):
    """A symbol as written, e.g. ``x``, ``genex/llm/load_model``, ``.infer`` or ``+``."""

    name: str

    @property
    def parts(self) -> Tuple[str, ...]:
        """The path segments: ``result/text`` has two; the division operator ``/`` has one."""
        return tuple(self.name.split("/")) if self.is_path else (self.name,)

    @property
    def is_path(self) -> bool:
        return "/" in self.name and self.name != "/"


@dataclass(frozen=True)
class QuoteNode(Node):
    """A quoted symbol such as ``:stop``; it evaluates to the symbol itself."""

    name: str


@dataclass(frozen=True)
class ArrayNode(Node):
    """``[a b c]``."""

    items: Tuple[Node, ...]


Props = Tuple[Tuple[str, Node], ...]


@dataclass(frozen=True)
class MapNode(Node):
    """``{^a 1 ^b 2}``; keys are stored without the caret."""

    entries: Props


@dataclass(frozen=True)
class GeneNode(Node):
    """``(head ^prop value child ...)``."""

    head: Node
    props: Props
    children: Tuple[Node, ...]
