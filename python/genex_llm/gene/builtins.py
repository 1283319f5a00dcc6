"""The global functions every Gene program starts with."""

from __future__ import annotations

import os
from typing import Dict, TextIO

from ..exceptions import GeneException
from .operators import operator_builtins
from .printer import describe, display
from .values import Args, Builtin, ClassValue, Kwargs, Value, truthy

__all__ = ["core_globals", "expect_arity", "no_props"]


def no_props(name: str, kwargs: Kwargs) -> None:
    """Refuse properties given to a function that takes none."""
    if kwargs:
        raise GeneException(f"{name} takes no properties, got ^{next(iter(kwargs))}")


def expect_arity(name: str, args: Args, low: int, high: int) -> None:
    """Refuse a call with fewer than ``low`` or more than ``high`` arguments."""
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low} to {high}"
        raise GeneException(f"{name} expects {wanted} argument{'' if wanted == '1' else 's'}, "
                            f"got {len(args)}")


def core_globals(out: TextIO) -> Dict[str, Value]:
    """Global names bound to the core functions; ``println`` and ``print`` write to ``out``."""

    def println(args: Args, kwargs: Kwargs) -> Value:
        no_props("println", kwargs)
        out.write(" ".join(display(arg) for arg in args) + "\n")
        return None

    def print_(args: Args, kwargs: Kwargs) -> Value:
        no_props("print", kwargs)
        out.write(" ".join(display(arg) for arg in args))
        return None

    def str_(args: Args, kwargs: Kwargs) -> Value:
        no_props("str", kwargs)
        return "".join(display(arg) for arg in args)

    def not_(args: Args, kwargs: Kwargs) -> Value:
        no_props("not", kwargs)
        expect_arity("not", args, 1, 1)
        return not truthy(args[0])

    def assert_(args: Args, kwargs: Kwargs) -> Value:
        no_props("assert", kwargs)
        expect_arity("assert", args, 1, 2)
        if truthy(args[0]):
            return None
        detail = f": {display(args[1])}" if len(args) == 2 else ""
        raise GeneException(f"assertion failed{detail}")

    def env(args: Args, kwargs: Kwargs) -> Value:
        no_props("$env", kwargs)
        expect_arity("$env", args, 1, 2)
        name = args[0]
        if not isinstance(name, str):
            raise GeneException(f"$env expects a variable name string, got {describe(name)}")
        value = os.environ.get(name)
        return value if value is not None else (args[1] if len(args) == 2 else None)

    functions = {"println": println, "print": print_, "str": str_, "not": not_, "assert": assert_,
                 "$env": env}
    names: Dict[str, Value] = {name: Builtin(name, fn) for name, fn in functions.items()}
    names.update(operator_builtins())
    names["GeneException"] = ClassValue("GeneException", error_type=GeneException)
    return names
