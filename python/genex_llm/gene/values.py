"""Gene runtime values and the scopes that hold them.

Plain data maps onto Python: ``nil`` is None, booleans, integers, floats
and strings are themselves, arrays are lists and maps are dicts keyed by
the property name without its caret. Symbols, functions, namespaces,
classes, exceptions and the ``genex/llm`` handles are the classes below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, Sequence, Type, Union

from ..exceptions import GeneException

if TYPE_CHECKING:
    from .nodes import Node

Value = Union[None, bool, int, float, str, "Symbol", List["Value"], Dict[str, "Value"], "GeneObject"]
Args = List[Value]
Kwargs = Dict[str, Value]
NativeFn = Callable[[Args, Kwargs], Value]


@dataclass(frozen=True)
class Symbol:
    """A symbol value, as made by a quoted symbol such as ``:stop``."""

    name: str

    def __repr__(self) -> str:
        # The facade's option errors show values with repr(); Gene syntax reads best there.
        return f":{self.name}"


def truthy(value: Value) -> bool:
    """Gene truth: only ``nil`` and ``false`` are false."""
    return value is not None and value is not False


class GeneObject:
    """A value with a Gene type name, readable properties and methods."""

    type_name = "Object"

    def get_prop(self, name: str) -> Value:
        """The value of ``obj/name``."""
        raise GeneException(f"{self.type_name} has no property '{name}'")

    def call_method(self, name: str, args: Args, kwargs: Kwargs) -> Value:
        """The result of ``(obj .name args... ^key value...)``."""
        raise GeneException(f"{self.type_name} has no method .{name}")

    def printed_props(self) -> Mapping[str, Value]:
        """The properties shown when the object is printed as ``(type_name ^prop value ...)``."""
        return {}


class Builtin(GeneObject):
    """A function written in Python."""

    type_name = "native_fn"

    def __init__(self, name: str, fn: NativeFn) -> None:
        self.name = name
        self.fn = fn


class Function(GeneObject):
    """A function defined with ``fn``; it closes over the scope it was defined in."""

    type_name = "fn"

    def __init__(self, name: Optional[str], params: Sequence[str], keyword_params: Sequence[str],
                 body: Sequence[Node], closure: Scope) -> None:
        self.name = name
        self.params = tuple(params)
        self.keyword_params = tuple(keyword_params)
        self.body = tuple(body)
        self.closure = closure

    @property
    def label(self) -> str:
        """How errors name the function."""
        return f"fn {self.name}" if self.name else "anonymous fn"


class Namespace(GeneObject):
    """A named set of members, such as ``genex`` or ``genex/llm``."""

    type_name = "ns"

    def __init__(self, path: str, members: Mapping[str, Value]) -> None:
        self.path = path
        self.members = dict(members)

    def get_prop(self, name: str) -> Value:
        if name not in self.members:
            available = " ".join(sorted(self.members))
            raise GeneException(f"{self.path} has no member '{name}'; it has: {available}")
        return self.members[name]


class ClassValue(GeneObject):
    """A class Gene code can name: an exception class, or a handle made only by a factory.

    ``made_by`` is set for handles, whose instances ``new`` refuses to create.
    """

    type_name = "class"

    def __init__(self, path: str, error_type: Optional[Type[GeneException]] = None,
                 made_by: str = "") -> None:
        self.path = path
        self.error_type = error_type
        self.made_by = made_by


class ErrorValue(GeneObject):
    """A Gene exception as ``$ex`` sees it; ``.message`` is the exception's text."""

    def __init__(self, error: GeneException) -> None:
        self.error = error
        self.type_name = exception_path(type(error))

    def call_method(self, name: str, args: Args, kwargs: Kwargs) -> Value:
        if name != "message":
            return super().call_method(name, args, kwargs)
        if args or kwargs:
            raise GeneException(f"{self.type_name} .message takes no arguments")
        return self.error.message

    def printed_props(self) -> Mapping[str, Value]:
        return {"message": self.error.message}


def exception_path(error_type: Type[GeneException]) -> str:
    """The Gene name of an exception class: ``GeneException``, or ``genex/llm/<Class>`` for the rest."""
    if error_type is GeneException:
        return "GeneException"
    return f"genex/llm/{error_type.__name__}"


class Scope:
    """Variables of one block; lookups fall back to the enclosing scope."""

    def __init__(self, parent: Optional[Scope] = None) -> None:
        self.parent = parent
        self.vars: Dict[str, Value] = {}

    def define(self, name: str, value: Value) -> None:
        """Bind ``name`` in this scope, replacing any binding it had here."""
        self.vars[name] = value

    def find(self, name: str) -> Optional[Scope]:
        """The innermost scope that defines ``name``, if any."""
        scope: Optional[Scope] = self
        while scope is not None:
            if name in scope.vars:
                return scope
            scope = scope.parent
        return None
