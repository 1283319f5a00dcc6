"""The Gene evaluator: runs syntax trees against scopes of Gene values.

An :class:`Interpreter` holds one global scope, so consecutive
:meth:`Interpreter.run` calls share variables, as a REPL would. Scopes are
passed down the evaluation, never swapped in and out, so an exception
leaves the global scope as the expressions before it left it, and the
interpreter keeps working.
"""

from __future__ import annotations

import re
import sys
from typing import Dict, List, Optional, Sequence, TextIO, Tuple, Union

from ..exceptions import GeneException
from . import forms
from .builtins import core_globals
from .errors import GeneThrow
from .llm_bridge import llm_namespace
from .methods import call_data_method
from .nodes import ArrayNode, GeneNode, Literal, MapNode, Node, QuoteNode, SymbolNode
from .operators import INFIX_PRECEDENCE, LOGICAL, operator_builtins
from .printer import describe
from .reader import read
from .values import (Args, Builtin, ClassValue, Function, GeneObject, Kwargs, Namespace, Scope, Symbol, Value,
                     truthy)

__all__ = ["Interpreter"]

RECURSION_LIMIT = 8000
_INDEX = re.compile(r"-?\d+\Z")
# An infix expression as a tree: an operand, or (operator, left, right).
_Infix = Union[Node, Tuple[str, "_Infix", "_Infix"]]


class Interpreter:
    """Evaluates Gene source; ``println`` and ``print`` write to ``out`` (default: stdout).

    >>> Interpreter().run('(var x 2) (x * 21)')
    42
    """

    def __init__(self, out: Optional[TextIO] = None) -> None:
        self.out = out if out is not None else sys.stdout
        llm = llm_namespace()
        genex = Namespace("genex", {"llm": llm})
        self.modules: Dict[str, Namespace] = {"genex": genex, "genex/llm": llm}
        self.globals = Scope()
        for name, value in core_globals(self.out).items():
            self.globals.define(name, value)
        self.globals.define("genex", genex)
        self._operators = operator_builtins()

    def run(self, source: str, file: str = "<eval>") -> Value:
        """Read ``source`` and evaluate its forms in the global scope; return the last value.

        Raises :class:`~genex_llm.gene.errors.GeneSyntaxError` before evaluating
        anything if the source cannot be read, and
        :class:`~genex_llm.gene.errors.GeneThrow` for an uncaught Gene exception.
        """
        nodes = read(source, file)
        limit = sys.getrecursionlimit()
        # Each Gene call takes a dozen or so Python frames; the default limit would stop Gene
        # recursion below a hundred levels.
        sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
        try:
            return self.body(nodes, self.globals)
        finally:
            sys.setrecursionlimit(limit)

    def evaluate(self, node: Node, scope: Scope) -> Value:
        """The value of one form; errors are tied to the innermost form that raised them."""
        try:
            if isinstance(node, GeneNode):
                return self._gene(node, scope)
            if isinstance(node, SymbolNode):
                return self._resolve(node, scope)
            if isinstance(node, Literal):
                return node.value
            if isinstance(node, QuoteNode):
                return Symbol(node.name)
            if isinstance(node, ArrayNode):
                return [self.evaluate(item, scope) for item in node.items]
            if isinstance(node, MapNode):
                return {key: self.evaluate(value, scope) for key, value in node.entries}
            raise TypeError(f"not a Gene syntax node: {node!r}")
        except GeneThrow:
            raise
        except GeneException as error:
            raise GeneThrow(error, node.location) from None
        except RecursionError:
            raise GeneThrow(GeneException("calls are nested too deeply (the call stack is exhausted)"),
                            node.location) from None
        except OverflowError as error:  # an integer too large to mix with floats
            raise GeneThrow(GeneException(f"arithmetic overflow: {error}"), node.location) from None

    def body(self, nodes: Sequence[Node], scope: Scope) -> Value:
        """Evaluate ``nodes`` in order; the value of the last, or nil."""
        result: Value = None
        for node in nodes:
            result = self.evaluate(node, scope)
        return result

    def call(self, callee: Value, args: Args, kwargs: Kwargs) -> Value:
        """Call a function value with positional arguments and properties."""
        if isinstance(callee, Builtin):
            return callee.fn(args, kwargs)
        if isinstance(callee, Function):
            return self._call_function(callee, args, kwargs)
        if isinstance(callee, ClassValue):
            raise GeneException(f"{callee.path} is a class, not a function; {forms.making_advice(callee)}")
        raise GeneException(f"{describe(callee)} is not a function")

    def call_method(self, receiver: Value, name: str, args: Args, kwargs: Kwargs) -> Value:
        """``(receiver .name args... ^key value ...)``."""
        if isinstance(receiver, GeneObject):
            return receiver.call_method(name, args, kwargs)
        return call_data_method(receiver, name, args, kwargs)

    def lookup(self, name: str, scope: Scope) -> Value:
        """The value of a variable."""
        if name in forms.KEYWORDS:
            raise GeneException(f"{name} is a keyword, not a value")
        found = scope.find(name)
        if found is None:
            hint = "; $ex exists only inside a catch clause" if name == "$ex" else ""
            raise GeneException(f"undefined variable {name}{hint}")
        return found.vars[name]

    def member(self, value: Value, part: str, path: str) -> Value:
        """``value/part``: a map value, an array item, an object property, or ``/.method`` called."""
        if part.startswith("."):
            return self.call_method(value, part[1:], [], {})
        if isinstance(value, dict):
            return value.get(part)
        if isinstance(value, list):
            index = _array_index(part, path)
            return value[index] if -len(value) <= index < len(value) else None
        if isinstance(value, GeneObject):
            return value.get_prop(part)
        raise GeneException(f"cannot read {part} of {describe(value)} in {path}/{part}")

    # -- dispatch -------------------------------------------------------------

    def _resolve(self, node: SymbolNode, scope: Scope) -> Value:
        if not node.is_path:
            return self.lookup(node.name, scope)
        parts = node.parts
        if "" in parts:
            raise GeneException(f"malformed path {node.name}: a path is names joined by single slashes")
        value = self.lookup(parts[0], scope)
        for index, part in enumerate(parts[1:], start=1):
            value = self.member(value, part, "/".join(parts[:index]))
        return value

    def _gene(self, node: GeneNode, scope: Scope) -> Value:
        head = node.head
        if isinstance(head, SymbolNode) and head.name in forms.SPECIAL_FORMS:
            return forms.SPECIAL_FORMS[head.name](self, node, scope)
        first = node.children[0] if node.children else None
        if isinstance(first, SymbolNode):
            if first.name == "=":
                return self._assign(node, scope)
            if first.name in INFIX_PRECEDENCE:
                return self._infix(node, scope)
            if first.name.startswith(".") and len(first.name) > 1 and not first.is_path:
                receiver = self.evaluate(head, scope)
                args = [self.evaluate(child, scope) for child in node.children[1:]]
                return self.call_method(receiver, first.name[1:], args, self._props(node, scope))
        callee = self.evaluate(head, scope)
        args = [self.evaluate(child, scope) for child in node.children]
        return self.call(callee, args, self._props(node, scope))

    def _props(self, node: GeneNode, scope: Scope) -> Kwargs:
        return {key: self.evaluate(value, scope) for key, value in node.props}

    def _call_function(self, fn: Function, args: Args, kwargs: Kwargs) -> Value:
        if len(args) != len(fn.params):
            plural = "" if len(fn.params) == 1 else "s"
            raise GeneException(f"{fn.label} expects {len(fn.params)} argument{plural}, got {len(args)}")
        for key in kwargs:
            if key not in fn.keyword_params:
                raise GeneException(f"{fn.label} has no property parameter ^{key}")
        local = Scope(fn.closure)
        for name, arg in zip(fn.params, args):
            local.define(name, arg)
        for name in fn.keyword_params:
            local.define(name, kwargs.get(name))
        return self.body(fn.body, local)

    # -- assignment and infix -----------------------------------------------------

    def _assign(self, node: GeneNode, scope: Scope) -> Value:
        target = node.head
        if len(node.children) != 2 or node.props or not isinstance(target, SymbolNode):
            raise GeneException("assignment is written (name = value) or (map/key = value)")
        if not target.is_path:
            found = scope.find(target.name)
            if found is None or target.name in forms.KEYWORDS:
                raise GeneException(f"cannot assign to undefined variable {target.name}; "
                                    f"declare it with (var {target.name} ...)")
            value = self.evaluate(node.children[1], scope)
            found.vars[target.name] = value
            return value
        parts = target.parts
        owner_path = "/".join(parts[:-1])
        owner = self._resolve(SymbolNode(target.location, owner_path), scope)
        key = parts[-1]
        value = self.evaluate(node.children[1], scope)
        if isinstance(owner, dict) and not key.startswith("."):
            owner[key] = value
        elif isinstance(owner, list):
            index = _array_index(key, owner_path)
            if not -len(owner) <= index < len(owner):
                raise GeneException(f"cannot set {target.name}: index {index} is outside an array of "
                                    f"{len(owner)} items")
            owner[index] = value
        elif isinstance(owner, GeneObject):
            raise GeneException(f"cannot set {target.name}: {owner.type_name} properties are read-only")
        else:
            raise GeneException(f"cannot set {key} on {describe(owner)}")
        return value

    def _infix(self, node: GeneNode, scope: Scope) -> Value:
        items: List[Node] = [node.head, *node.children]
        if node.props:
            raise GeneException("an infix expression such as (a + b) takes no properties")
        operators: List[str] = []
        for position, item in enumerate(items[1::2]):
            if not (isinstance(item, SymbolNode) and item.name in INFIX_PRECEDENCE):
                raise GeneException(f"infix expression expects an operator in position {2 * position + 2}, "
                                    "as in (a + b * c)")
            operators.append(item.name)
        if len(items) % 2 == 0:
            raise GeneException(f"infix expression ends with the operator {operators[-1]}; "
                                "an operand must follow it")
        return self._infix_value(_infix_tree(items[0::2], operators), scope)

    def _infix_value(self, tree: _Infix, scope: Scope) -> Value:
        if isinstance(tree, Node):
            return self.evaluate(tree, scope)
        name, left_tree, right_tree = tree
        left = self._infix_value(left_tree, scope)
        if name in LOGICAL:
            # && and || short-circuit and give the operand that decided, as and/or do.
            decided = truthy(left) if name == "||" else not truthy(left)
            return left if decided else self._infix_value(right_tree, scope)
        right = self._infix_value(right_tree, scope)
        return self._operators[name].fn([left, right], {})


def _infix_tree(operands: List[Node], operators: List[str]) -> _Infix:
    """Group a flat ``a op b op c`` by precedence (precedence climbing, left-associative)."""
    position = 0

    def climb(min_precedence: int) -> _Infix:
        nonlocal position
        left: _Infix = operands[position]
        while position < len(operators) and INFIX_PRECEDENCE[operators[position]] >= min_precedence:
            name = operators[position]
            position += 1
            right = climb(INFIX_PRECEDENCE[name] + 1)
            left = (name, left, right)
        return left

    return climb(0)


def _array_index(part: str, path: str) -> int:
    if not _INDEX.match(part):
        raise GeneException(f"{path} is an array; index it with a number, not {part}")
    return int(part)
