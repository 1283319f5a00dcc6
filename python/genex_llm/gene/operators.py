"""Arithmetic, comparison and equality, shared by prefix calls and infix expressions.

``(+ 1 2 3)`` calls the operator as a function; ``(1 + 2 * 3)`` is infix,
with ``* / %`` binding tighter than ``+ -``, then comparisons, then
``== !=``, then ``&&``, then ``||`` (gene-lang/gene's precedence). The
evaluator handles ``&&`` and ``||`` itself because they short-circuit.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Dict, List, Union

from ..exceptions import GeneException
from .printer import describe
from .values import Args, Builtin, Kwargs, Symbol, Value

__all__ = ["INFIX_PRECEDENCE", "LOGICAL", "equal", "operator_builtins"]

Number = Union[int, float]

# Higher binds tighter; every operator is left-associative.
INFIX_PRECEDENCE: Dict[str, int] = {
    "||": 1, "&&": 2,
    "==": 3, "!=": 3,
    "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5,
    "*": 6, "/": 6, "%": 6,
}
LOGICAL = frozenset({"&&", "||"})


def equal(left: Value, right: Value) -> bool:
    """Gene ``==``: numbers by value (``1 == 1.0``), data by content, objects by identity."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, (str, Symbol)) or left is None:
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(equal(left[key], right[key]) for key in left)
    return left is right


def _number(name: str, value: Value) -> Number:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GeneException(f"{name} expects numbers, got {describe(value)}")
    return value


def _numbers(name: str, args: Args, kwargs: Kwargs, minimum: int) -> List[Number]:
    if kwargs:
        raise GeneException(f"{name} takes no properties, got ^{next(iter(kwargs))}")
    if len(args) < minimum:
        raise GeneException(f"{name} expects at least {minimum} argument{'s' if minimum > 1 else ''}, "
                            f"got {len(args)}")
    return [_number(name, arg) for arg in args]


def _add(args: Args, kwargs: Kwargs) -> Value:
    return sum(_numbers("+", args, kwargs, 0))


def _subtract(args: Args, kwargs: Kwargs) -> Value:
    numbers = _numbers("-", args, kwargs, 1)
    if len(numbers) == 1:
        return -numbers[0]
    result = numbers[0]
    for number in numbers[1:]:
        result -= number
    return result


def _multiply(args: Args, kwargs: Kwargs) -> Value:
    result: Number = 1
    for number in _numbers("*", args, kwargs, 0):
        result *= number
    return result


def _divide(args: Args, kwargs: Kwargs) -> Value:
    numbers = _numbers("/", args, kwargs, 2)
    # Like gene-lang/gene, division is always true division: (6 / 2) is 3.0.
    result = float(numbers[0])
    for number in numbers[1:]:
        if number == 0:
            raise GeneException("division by zero: " + " / ".join(repr(n) for n in numbers))
        result /= number
    return result


def _modulo(args: Args, kwargs: Kwargs) -> Value:
    numbers = _numbers("%", args, kwargs, 2)
    if len(numbers) != 2:
        raise GeneException(f"% expects 2 arguments, got {len(numbers)}")
    if numbers[1] == 0:
        raise GeneException(f"modulo by zero: {numbers[0]!r} % 0")
    return numbers[0] % numbers[1]


def _comparison(name: str, compare: Callable[[Any, Any], bool]) -> Callable[[Args, Kwargs], Value]:
    def call(args: Args, kwargs: Kwargs) -> Value:
        if kwargs:
            raise GeneException(f"{name} takes no properties, got ^{next(iter(kwargs))}")
        if len(args) != 2:
            raise GeneException(f"{name} expects 2 arguments, got {len(args)}")
        left, right = args
        both_numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in args)
        both_strings = isinstance(left, str) and isinstance(right, str)
        if not (both_numbers or both_strings):
            raise GeneException(f"{name} compares two numbers or two strings, "
                                f"got {describe(left)} and {describe(right)}")
        return compare(left, right)
    return call


def _equality(name: str, expected: bool) -> Callable[[Args, Kwargs], Value]:
    def call(args: Args, kwargs: Kwargs) -> Value:
        if kwargs or len(args) != 2:
            raise GeneException(f"{name} expects 2 arguments and no properties, got {len(args)} arguments")
        return equal(args[0], args[1]) is expected
    return call


def operator_builtins() -> Dict[str, Builtin]:
    """The operators that are also plain functions, by name."""
    functions = {
        "+": _add, "-": _subtract, "*": _multiply, "/": _divide, "%": _modulo,
        "<": _comparison("<", operator.lt), "<=": _comparison("<=", operator.le),
        ">": _comparison(">", operator.gt), ">=": _comparison(">=", operator.ge),
        "==": _equality("==", True), "!=": _equality("!=", False),
    }
    return {name: Builtin(name, fn) for name, fn in functions.items()}
