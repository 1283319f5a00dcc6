"""Methods of Gene's built-in data types: ``("a b" .split " ")``, ``(tokens .join)``, ``(m .keys)``.

Names follow gene-lang/gene's String, Array and Map classes.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Tuple

from ..exceptions import GeneException
from .builtins import expect_arity, no_props
from .operators import equal
from .printer import describe, display, type_name
from .values import Args, Kwargs, Value

__all__ = ["call_data_method"]

Method = Callable[..., Value]
# name -> (fewest arguments, most arguments, implementation taking the receiver first)
Table = Dict[str, Tuple[int, int, Method]]
_MANY = 1 << 16


def _text(method: str, value: Value) -> str:
    if not isinstance(value, str):
        raise GeneException(f".{method} expects a string, got {describe(value)}")
    return value


def _split(text: str, separator: str) -> Value:
    # An empty separator splits into characters rather than failing as str.split would.
    parts: List[Value] = list(text.split(separator) if separator else text)
    return parts


_STRING: Table = {
    "length": (0, 0, len),
    "size": (0, 0, len),
    "trim": (0, 0, str.strip),
    "to_upper": (0, 0, str.upper),
    "to_lower": (0, 0, str.lower),
    "starts_with": (1, 1, lambda s, prefix: s.startswith(_text("starts_with", prefix))),
    "ends_with": (1, 1, lambda s, suffix: s.endswith(_text("ends_with", suffix))),
    "contains": (1, 1, lambda s, part: _text("contains", part) in s),
    "append": (1, _MANY, lambda s, *more: s + "".join(display(v) for v in more)),
    "split": (1, 1, lambda s, sep: _split(s, _text("split", sep))),
}

_ARRAY: Table = {
    "size": (0, 0, len),
    "length": (0, 0, len),
    "join": (0, 1, lambda items, sep="": _text("join", sep).join(display(v) for v in items)),
    "contains": (1, 1, lambda items, wanted: any(equal(item, wanted) for item in items)),
}

_MAP: Table = {
    "size": (0, 0, len),
    "keys": (0, 0, lambda entries: list(entries)),
    "contains": (1, 1, lambda entries, key: _text("contains", key) in entries),
}


def call_data_method(receiver: Value, name: str, args: Args, kwargs: Kwargs) -> Value:
    """Call method ``name`` on a string, array or map."""
    if isinstance(receiver, str):
        table = _STRING
    elif isinstance(receiver, list):
        table = _ARRAY
    elif isinstance(receiver, dict):
        table = _MAP
    else:
        raise GeneException(f"cannot call .{name} on {describe(receiver)}: a {type_name(receiver)} "
                            "has no methods")
    if name not in table:
        known = " ".join("." + method for method in table)
        raise GeneException(f"{type_name(receiver)} has no method .{name}; it has: {known}")
    low, high, method = table[name]
    label = f"{type_name(receiver)} .{name}"
    no_props(label, kwargs)
    expect_arity(label, args, low, high)
    result: Value = method(receiver, *args)
    return result
