"""Gene values as Gene source text.

:func:`to_gene` writes a value so the reader reads it back (strings quoted,
symbols as ``:name``, maps as ``{^key value}``); objects without a literal
form print as ``(type ^prop value ...)``. :func:`display` is what
``println`` and ``str`` show: a string or symbol as its bare text, anything
else as :func:`to_gene`.
"""

from __future__ import annotations

from typing import List

from .values import Builtin, ClassValue, Function, GeneObject, Namespace, Symbol, Value

__all__ = ["describe", "display", "to_gene", "type_name"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
_TOKEN_SPECIALS = frozenset('()[]{}",\\^')


def to_gene(value: Value) -> str:
    """``value`` in Gene syntax.

    >>> to_gene({"text": "hi", "finish_reason": Symbol("stop")})
    '{^text "hi" ^finish_reason :stop}'
    """
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, Symbol):
        return ":" + _token(value.name)
    if isinstance(value, list):
        return "[" + " ".join(to_gene(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + " ".join(f"^{_token(key)} {to_gene(item)}" for key, item in value.items()) + "}"
    return _object(value)


def display(value: Value) -> str:
    """``value`` as ``println`` shows it: text and symbols bare, the rest in Gene syntax."""
    if isinstance(value, str):
        return value
    if isinstance(value, Symbol):
        return value.name
    return to_gene(value)


def describe(value: Value, limit: int = 60) -> str:
    """A value for an error message: its type and its Gene text, shortened."""
    text = to_gene(value)
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    return f"{type_name(value)} {text}"


def type_name(value: Value) -> str:
    """The Gene name of a value's type, as error messages use it."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Symbol):
        return "symbol"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "map"
    return value.type_name


def _quote(text: str) -> str:
    parts: List[str] = ['"']
    for char in text:
        if char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            parts.append(f"\\u{ord(char):04X}")
        else:
            parts.append(char)
    parts.append('"')
    return "".join(parts)


def _token(name: str) -> str:
    """A symbol or property name, with backslashes where the reader would split or misread it."""
    escaped = "".join("\\" + char if char in _TOKEN_SPECIALS or char.isspace() else char for char in name)
    # ^!name would read as a nil flag.
    return "\\" + escaped if escaped.startswith("!") else escaped


def _object(value: GeneObject) -> str:
    if isinstance(value, Function):
        params = " ".join([*value.params, *("^" + name for name in value.keyword_params)])
        name = f" {value.name}" if value.name else ""
        return f"(fn{name} [{params}])"
    if isinstance(value, Builtin):
        return f"(native_fn {value.name})"
    if isinstance(value, Namespace):
        return f"(ns {value.path})"
    if isinstance(value, ClassValue):
        return value.path
    props = "".join(f" ^{_token(key)} {to_gene(item)}" for key, item in value.printed_props().items())
    return f"({value.type_name}{props})"
