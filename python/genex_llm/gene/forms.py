"""Gene's special forms: expressions whose head decides how (and whether) the rest is evaluated.

``var do if fn try throw import new and or && ||``. Each takes the
interpreter, the whole expression and the current scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from ..exceptions import GeneException, LlmError
from .errors import GeneThrow
from .nodes import ArrayNode, GeneNode, Literal, MapNode, Node, QuoteNode, SymbolNode
from .printer import describe, to_gene
from .values import ClassValue, ErrorValue, Function, Namespace, Scope, Value, truthy

if TYPE_CHECKING:
    from .evaluator import Interpreter

__all__ = ["KEYWORDS", "SPECIAL_FORMS", "making_advice"]

Form = Callable[["Interpreter", GeneNode, Scope], Value]
_BRANCH_WORDS = ("then", "elif", "else")
_Catch = Tuple[Node, List[Node]]


def making_advice(cls: ClassValue) -> str:
    """How to get an instance of ``cls``."""
    return cls.made_by or f"create one with (new {cls.path} \"message\")"


def _no_props(node: GeneNode, form: str) -> None:
    if node.props:
        raise GeneException(f"{form} takes no properties, got ^{node.props[0][0]}")


def _is_word(node: Node, *words: str) -> bool:
    return isinstance(node, SymbolNode) and node.name in words


def _name(node: Node, what: str) -> str:
    """A name being bound by var, fn or a parameter list, checked."""
    if not isinstance(node, SymbolNode):
        raise GeneException(f"{what} must be a name, got {_shown(node)}")
    name = node.name
    if name in KEYWORDS:
        raise GeneException(f"{name} is a keyword and cannot be used as {what}")
    if node.is_path or name.startswith((".", "^")) or name == "=":
        raise GeneException(f"{name} cannot be used as {what}")
    if name.endswith("..."):
        raise GeneException(f"rest parameters such as {name} are not supported")
    return name


def _shown(node: Node) -> str:
    if isinstance(node, Literal):
        return to_gene(node.value)
    if isinstance(node, QuoteNode):
        return f":{node.name}"
    return {ArrayNode: "an array", MapNode: "a map"}.get(type(node), "an expression")


def _var(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "var")
    if len(node.children) not in (1, 2):
        raise GeneException("var is written (var name value) or (var name)")
    name = _name(node.children[0], "a variable name")
    value = interp.evaluate(node.children[1], scope) if len(node.children) == 2 else None
    scope.define(name, value)
    return value


def _do(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "do")
    return interp.body(node.children, Scope(scope))


def _if(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "if")
    for condition, branch in _if_branches(node.children):
        if condition is None or truthy(interp.evaluate(condition, scope)):
            return interp.body(branch, Scope(scope))
    return None


def _if_branches(children: Sequence[Node]) -> List[Tuple[Optional[Node], List[Node]]]:
    """(condition, body) pairs of ``(if c a b)`` or ``(if c [then] ... elif c ... else ...)``.

    The else branch has no condition (None).
    """
    if not children:
        raise GeneException("if needs a condition: (if cond then-expr else-expr)")
    rest = list(children[1:])
    if not any(_is_word(child, *_BRANCH_WORDS) for child in rest):
        if len(rest) == 1:
            return [(children[0], rest)]
        if len(rest) == 2:
            return [(children[0], rest[:1]), (None, rest[1:])]
        raise GeneException("(if cond then-expr else-expr) takes one or two expressions after the "
                            f"condition, got {len(rest)}; write (if cond ... else ...) for several")
    if rest and _is_word(rest[0], "then"):
        rest.pop(0)
    branches: List[Tuple[Optional[Node], List[Node]]] = [(children[0], [])]
    while rest:
        item = rest.pop(0)
        if branches[-1][0] is None and isinstance(item, SymbolNode) and item.name in _BRANCH_WORDS:
            raise GeneException(f"{item.name} cannot follow else: else must be the last branch")
        if _is_word(item, "elif"):
            if not rest:
                raise GeneException("elif needs a condition")
            branches.append((rest.pop(0), []))
            if rest and _is_word(rest[0], "then"):
                rest.pop(0)
        elif _is_word(item, "else"):
            branches.append((None, []))
        elif _is_word(item, "then"):
            raise GeneException("then goes right after the condition of if or elif")
        else:
            branches[-1][1].append(item)
    return branches


def _fn(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "fn")
    children = node.children
    name = _name(children[0], "a function name") if children and isinstance(children[0], SymbolNode) else None
    start = 1 if name else 0
    param_list = children[start] if len(children) > start else None
    if not isinstance(param_list, ArrayNode):
        raise GeneException("fn needs a parameter list in brackets, as in (fn add [a b] (a + b))")
    params: List[str] = []
    keyword_params: List[str] = []
    for item in param_list.items:
        if isinstance(item, SymbolNode) and item.name.startswith("^") and len(item.name) > 1:
            param = _name(SymbolNode(item.location, item.name[1:]), "a parameter name")
            keyword_params.append(param)
        else:
            params.append(_name(item, "a parameter name"))
    seen = set()
    for param in params + keyword_params:
        if param in seen:
            raise GeneException(f"parameter {param} is declared twice")
        seen.add(param)
    function = Function(name, params, keyword_params, children[start + 1:], scope)
    if name:
        scope.define(name, function)
    return function


def _try(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "try")
    body, catches, finally_body = _try_clauses(node.children)
    try:
        return interp.body(body, Scope(scope))
    except GeneThrow as thrown:
        for pattern, handler in catches:
            if _catches(interp, pattern, thrown.error, scope):
                handler_scope = Scope(scope)
                handler_scope.define("$ex", ErrorValue(thrown.error))
                return interp.body(handler, handler_scope)
        raise
    finally:
        if finally_body is not None:
            interp.body(finally_body, Scope(scope))


def _try_clauses(children: Sequence[Node]) -> Tuple[List[Node], List[_Catch], Optional[List[Node]]]:
    """The body, the (pattern, handler) catch clauses, and the finally body of a try."""
    body: List[Node] = []
    catches: List[_Catch] = []
    finally_body: Optional[List[Node]] = None
    current = body
    index = 0
    while index < len(children):
        child = children[index]
        index += 1
        if _is_word(child, "catch"):
            if finally_body is not None:
                raise GeneException("catch must come before finally")
            if index >= len(children):
                raise GeneException("catch needs a pattern: catch * or catch <exception class>")
            current = []
            catches.append((children[index], current))
            index += 1
        elif _is_word(child, "finally"):
            if finally_body is not None:
                raise GeneException("try takes only one finally")
            finally_body = current = []
        else:
            current.append(child)
    if not catches and finally_body is None:
        raise GeneException("try needs a catch or a finally clause")
    return body, catches, finally_body


def _catches(interp: Interpreter, pattern: Node, error: GeneException, scope: Scope) -> bool:
    if _is_word(pattern, "*"):
        return True
    cls = interp.evaluate(pattern, scope)
    if isinstance(cls, ClassValue) and cls.error_type is not None:
        return isinstance(error, cls.error_type)
    raise GeneThrow(GeneException(f"catch expects * or an exception class such as "
                                  f"genex/llm/ModelLoadError, got {describe(cls)}"), pattern.location)


def _throw(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "throw")
    args = [interp.evaluate(child, scope) for child in node.children]
    raise GeneThrow(_exception(args, "throw"), node.location)


def _exception(args: List[Value], form: str) -> GeneException:
    """The exception ``(throw ...)`` or ``(new Class ...)`` describes."""
    if not args:
        return GeneException("")
    first, rest = args[0], args[1:]
    if isinstance(first, str) and not rest:
        return GeneException(first)
    if isinstance(first, ErrorValue) and not rest:
        return first.error
    if isinstance(first, ClassValue) and first.error_type is not None and len(rest) <= 1:
        message = rest[0] if rest else ""
        if not isinstance(message, str):
            raise GeneException(f"an exception message must be a string, got {describe(message)}")
        return first.error_type(message)
    raise GeneException(f"{form} expects a message, an exception, or an exception class and a message; "
                        f"got {' '.join(describe(arg) for arg in args)}")


def _new(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "new")
    if not node.children:
        raise GeneException("new needs a class: (new Class args...)")
    cls = interp.evaluate(node.children[0], scope)
    if not isinstance(cls, ClassValue):
        raise GeneException(f"new expects a class, got {describe(cls)}")
    if cls.made_by:
        raise LlmError(f"{cls.path} cannot be created with new: {cls.made_by}")
    args = [interp.evaluate(child, scope) for child in node.children[1:]]
    return ErrorValue(_exception([cls, *args], "new"))


def _import(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "import")
    children = list(node.children)
    if not children:
        raise GeneException("import needs a module, as in (import genex/llm)")
    if any(_is_word(child, "from") for child in children):
        _import_from(interp, children, scope)
        return None
    index = 0
    while index < len(children):
        child = children[index]
        selected = children[index + 1] if index + 1 < len(children) else None
        if isinstance(child, SymbolNode) and child.name.endswith("/") and isinstance(selected, ArrayNode):
            module = _module(interp, child.name[:-1])
            for item in selected.items:
                _bind_member(module.path, module.get_prop, item, scope)
            index += 2
        elif isinstance(child, SymbolNode):
            module = _module(interp, child.name)
            scope.define(child.parts[-1], module)
            index += 1
        else:
            raise GeneException("import expects module paths such as genex/llm or genex/llm/[load_model]")
    return None


def _import_from(interp: Interpreter, children: List[Node], scope: Scope) -> None:
    split = next(i for i, child in enumerate(children) if _is_word(child, "from"))
    names, source = children[:split], children[split + 1:]
    if not names or len(source) != 1:
        raise GeneException('import ... from is written (import name1 name2 from "genex/llm")')
    path_node = source[0]
    if isinstance(path_node, Literal) and isinstance(path_node.value, str):
        path = path_node.value
    elif isinstance(path_node, SymbolNode):
        path = path_node.name
    else:
        raise GeneException("import ... from needs a module path such as \"genex/llm\"")
    module = _module(interp, path)
    for item in names:
        _bind_member(module.path, module.get_prop, item, scope)


def _module(interp: Interpreter, path: str) -> Namespace:
    if path not in interp.modules:
        raise GeneException(f"no module named {path}; the modules are: {' '.join(sorted(interp.modules))}")
    return interp.modules[path]


def _bind_member(path: str, get: Callable[[str], Value], item: Node, scope: Scope) -> None:
    """Bind ``name`` or ``name:alias`` from a module."""
    if not isinstance(item, SymbolNode):
        raise GeneException(f"import from {path} expects names, as in {path}/[load_model]")
    name, _, alias = item.name.partition(":")
    scope.define(_name(SymbolNode(item.location, alias or name), "an imported name"), get(name))


def _and(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "and")
    result: Value = True
    for child in node.children:
        result = interp.evaluate(child, scope)
        if not truthy(result):
            return result
    return result


def _or(interp: Interpreter, node: GeneNode, scope: Scope) -> Value:
    _no_props(node, "or")
    result: Value = None
    for child in node.children:
        result = interp.evaluate(child, scope)
        if truthy(result):
            return result
    return result


SPECIAL_FORMS: Dict[str, Form] = {
    "var": _var, "do": _do, "if": _if, "fn": _fn, "try": _try, "throw": _throw, "import": _import,
    "new": _new, "and": _and, "or": _or, "&&": _and, "||": _or,
}
KEYWORDS = frozenset({*SPECIAL_FORMS, "then", "elif", "else", "catch", "finally"})
