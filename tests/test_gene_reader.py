"""The Gene reader: forms, comments, locations, and syntax errors that say where."""

from __future__ import annotations

from typing import Tuple

import pytest

from genex_llm.gene import GeneSyntaxError, Location, read
from genex_llm.gene.nodes import ArrayNode, GeneNode, Literal, MapNode, Node, QuoteNode, SymbolNode


def only(source: str) -> Node:
    forms = read(source, "t.gene")
    assert len(forms) == 1
    return forms[0]


@pytest.mark.parametrize("source, value", [
    ("42", 42), ("-7", -7), ("+3", 3), ("0", 0), ("12345678901234567890", 12345678901234567890),
    ("3.5", 3.5), ("-0.25", -0.25), ("1e3", 1000.0), ("2.5E-2", 0.025), ("1.", 1.0),
    ("true", True), ("false", False), ("nil", None),
    ('"plain"', "plain"), ('""', ""),
    (r'"a\nb\tc\rd\be\ff"', "a\nb\tc\rd\be\ff"),
    (r'"quote \" backslash \\ slash \/"', 'quote " backslash \\ slash /'),
    (r'"\u00e9\u4e2d"', "é中"), (r'"\uD83D\uDE00"', "😀"),
    ('"spans\nlines"', "spans\nlines"),
])
def test_literals(source: str, value: object) -> None:
    node = only(source)
    assert isinstance(node, Literal)
    assert node.value == value and type(node.value) is type(value)


@pytest.mark.parametrize("source, parts", [
    ("x", ("x",)), ("load_model", ("load_model",)), ("+", ("+",)), ("<=", ("<=",)), ("/", ("/",)),
    ("genex/llm/load_model", ("genex", "llm", "load_model")), ("result/text", ("result", "text")),
    ("$ex/.message", ("$ex", ".message")), (".infer", (".infer",)), ("-x", ("-x",)),
    ("add:sum", ("add:sum",)), (r"with\ space", ("with space",)), ("^param", ("^param",)),
])
def test_symbols_and_paths(source: str, parts: Tuple[str, ...]) -> None:
    node = only(source)
    assert isinstance(node, SymbolNode)
    assert node.parts == parts
    assert node.is_path == (len(parts) > 1)


def test_quoted_symbols() -> None:
    node = only(":stop")
    assert isinstance(node, QuoteNode) and node.name == "stop"


def test_arrays_and_maps() -> None:
    array = only("[1 [2] :a]")
    assert isinstance(array, ArrayNode)
    assert [type(item) for item in array.items] == [Literal, ArrayNode, QuoteNode]
    mapping = only('{^context 4096 ^name "x" ^^on ^!off}')
    assert isinstance(mapping, MapNode)
    keys = [key for key, _ in mapping.entries]
    values = [value.value for _, value in mapping.entries if isinstance(value, Literal)]
    assert keys == ["context", "name", "on", "off"]
    assert values == [4096, "x", True, None]
    empty = only("{}")
    assert isinstance(empty, MapNode) and empty.entries == ()


def test_gene_expressions_keep_head_props_and_children() -> None:
    node = only('(session .infer "prompt" ^max_tokens 64 {^temperature 0})')
    assert isinstance(node, GeneNode)
    assert isinstance(node.head, SymbolNode) and node.head.name == "session"
    assert [key for key, _ in node.props] == ["max_tokens"]
    assert [type(child) for child in node.children] == [SymbolNode, Literal, MapNode]


def test_comments_commas_and_shebang_are_skipped() -> None:
    source = '#!/usr/bin/env genex-llm run\n# a comment\n(f 1, 2) # trailing\n#< block\n(g) >#\n#\n[3]'
    forms = read(source)
    assert [type(form) for form in forms] == [GeneNode, ArrayNode]
    first = forms[0]
    assert isinstance(first, GeneNode) and len(first.children) == 2


def test_every_form_knows_its_line_and_column() -> None:
    forms = read('(var x 1)\n\n  (println\n    "é" x/y)', "prog.gene")
    call = forms[1]
    assert isinstance(call, GeneNode)
    assert call.location == Location("prog.gene", 3, 3)
    assert [child.location for child in call.children] == [Location("prog.gene", 4, 5),
                                                           Location("prog.gene", 4, 9)]
    assert str(call.location) == "prog.gene:3:3"


@pytest.mark.parametrize("source, message, line, column", [
    ("(a b", "'(' is never closed with ')'", 1, 1),
    ("[1\n 2", "'[' is never closed with ']'", 1, 1),
    ("{^a 1", "'{' is never closed with '}'", 1, 1),
    ("(a ]", "expected ')' to close the '(' at line 1, column 1, but found ']'", 1, 4),
    ("(f [1 2)", "expected ']' to close the '[' at line 1, column 4, but found ')'", 1, 8),
    ("x )", "unexpected ')' with no matching '('", 1, 3),
    ('\n  "abc', "string is never closed", 2, 3),
    ("{^a}", "property ^a has no value", 1, 2),
    ("(f ^a)", "property ^a has no value", 1, 4),
    ("(f ^a ^b 1)", "property ^a has no value", 1, 4),
    ("{1 2}", "map entries are '^key value' pairs", 1, 2),
    ("(f ^a 1 ^a 2)", "property ^a is given twice", 1, 9),
    ("(f ^ 1)", "'^' must be followed by a property name", 1, 4),
    ("{^a^b 1}", "nested property names such as ^a^b are not supported", 1, 2),
    ("(^a 1)", "starts with its head, not a property", 1, 2),
    ("()", "empty expression '()'", 1, 1),
    ("12abc", "invalid number '12abc'", 1, 1),
    ("1.2.3", "invalid number '1.2.3'", 1, 1),
    (": stop", "':' quotes a symbol", 1, 1),
    (":12", "only symbols can be quoted, not :12", 1, 1),
    (":nil", "only symbols can be quoted, not :nil", 1, 1),
    (r'"\u12"', "\\u must be followed by four hexadecimal digits", 1, 2),
    (r'"\uD800x"', "half of a surrogate pair", 1, 2),
    (r'"\uD800\u0041"', "must be followed by a low surrogate", 1, 2),
    (r'"\uDC00"', "lone low surrogate", 1, 2),
    ("#{1}", "unsupported syntax '#{'", 1, 1),
    ("'a'", "character literals such as 'a' are not supported", 1, 1),
    ("#< open", "block comment '#<' is never closed with '>#'", 1, 1),
    ("x\\", "a backslash at the end of the input escapes nothing", 1, 3),
])
def test_syntax_errors_say_what_and_where(source: str, message: str, line: int, column: int) -> None:
    with pytest.raises(GeneSyntaxError) as caught:
        read(source, "bad.gene")
    assert message in caught.value.message
    assert caught.value.location == Location("bad.gene", line, column)
    assert str(caught.value) == f"bad.gene:{line}:{column}: syntax error: {caught.value.message}"
