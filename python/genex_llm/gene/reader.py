"""The Gene reader: source text to syntax tree, with a location on every form.

Follows gene-lang/gene's reader for the forms it supports: ``#`` line
comments (so a ``#!`` first line is one), ``#< ... >#`` block comments,
commas as whitespace, backslash escapes in symbols, and string escapes
``\\n \\t \\r \\b \\f \\uXXXX`` (any other escaped character stands for
itself). Forms it does not support are syntax errors, never misread.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from .errors import GeneSyntaxError, Location
from .nodes import ArrayNode, GeneNode, Literal, MapNode, Node, QuoteNode, SymbolNode

__all__ = ["read"]

_DELIMITERS = frozenset('()[]{}"')
_OPENER_OF = {")": "(", "]": "[", "}": "{"}
_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?\Z")
_NUMBER_START = re.compile(r"[+-]?\d")
_UNESCAPED_CARET = re.compile(r"(?<!\\)\^")
_COMMENT_FOLLOWERS = frozenset(" \t\r\n!#")
_KEYWORD_LITERALS = {"nil": None, "true": True, "false": False}
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def read(source: str, file: str = "<eval>") -> List[Node]:
    """Read every top-level form of ``source``; ``file`` names it in locations.

    >>> read('(println "hi")')[0].head.name
    'println'
    """
    return _Reader(source, file).read_all()


class _Reader:
    def __init__(self, source: str, file: str) -> None:
        self.source = source
        self.file = file
        self.pos = 0
        self.line = 1
        self.column = 1

    # -- characters ---------------------------------------------------------

    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.source[index] if index < len(self.source) else ""

    def advance(self) -> str:
        char = self.source[self.pos]
        self.pos += 1
        if char == "\n":
            self.line += 1
            self.column = 1
        else:
            self.column += 1
        return char

    def fail(self, message: str, location: Optional[Location] = None) -> GeneSyntaxError:
        return GeneSyntaxError(message, location or self.location())

    def skip_blank(self) -> None:
        while True:
            char = self.peek()
            if char and (char.isspace() or char == ","):
                self.advance()
            elif char == "#" and (self.peek(1) in _COMMENT_FOLLOWERS or self.peek(1) == ""):
                while self.peek() not in ("", "\n"):
                    self.advance()
            elif char == "#" and self.peek(1) == "<":
                self.skip_block_comment()
            else:
                return

    def skip_block_comment(self) -> None:
        start = self.location()
        self.advance()
        self.advance()
        while self.peek():
            if self.peek() == ">" and self.peek(1) == "#":
                self.advance()
                self.advance()
                return
            self.advance()
        raise self.fail("block comment '#<' is never closed with '>#'", start)

    # -- forms --------------------------------------------------------------

    def read_all(self) -> List[Node]:
        forms: List[Node] = []
        while True:
            self.skip_blank()
            if not self.peek():
                return forms
            forms.append(self.read_form())

    def read_form(self) -> Node:
        char = self.peek()
        if char == "(":
            return self.read_gene()
        if char == "[":
            return self.read_array()
        if char == "{":
            return self.read_map()
        if char == '"':
            return self.read_string()
        if char == ":":
            return self.read_quote()
        if char in _OPENER_OF:
            raise self.fail(f"unexpected '{char}' with no matching '{_OPENER_OF[char]}'")
        if char == "#":
            raise self.fail(f"unsupported syntax '#{self.peek(1)}': only '# ' comments and '#<...>#' "
                            "block comments start with '#'")
        if char == "'":
            raise self.fail("character literals such as 'a' are not supported; use a string")
        return self.read_atom()

    def read_array(self) -> ArrayNode:
        start = self.location()
        self.advance()
        items: List[Node] = []
        while not self.at_closer("[", "]", start):
            items.append(self.read_form())
        return ArrayNode(start, tuple(items))

    def at_closer(self, opener: str, closer: str, start: Location) -> bool:
        """Skip blanks; consume ``closer`` and say so, or fail on the end of input or a wrong closer."""
        self.skip_blank()
        char = self.peek()
        if not char:
            raise self.fail(f"'{opener}' is never closed with '{closer}'", start)
        if char == closer:
            self.advance()
            return True
        if char in _OPENER_OF:
            raise self.fail(f"expected '{closer}' to close the '{opener}' at line {start.line}, "
                            f"column {start.column}, but found '{char}'")
        return False

    def read_gene(self) -> GeneNode:
        start = self.location()
        self.advance()
        self.skip_blank()
        if self.peek() == ")":
            raise self.fail("empty expression '()': a Gene expression needs a head", start)
        if self.peek() == "^":
            raise self.fail("a Gene expression starts with its head, not a property")
        if not self.peek():
            raise self.fail("'(' is never closed with ')'", start)
        head = self.read_form()
        props: List[Tuple[str, Node]] = []
        children: List[Node] = []
        while not self.at_closer("(", ")", start):
            if self.peek() == "^":
                self.read_prop(props)
            else:
                children.append(self.read_form())
        return GeneNode(start, head, tuple(props), tuple(children))

    def read_map(self) -> MapNode:
        start = self.location()
        self.advance()
        entries: List[Tuple[str, Node]] = []
        while not self.at_closer("{", "}", start):
            if self.peek() != "^":
                raise self.fail("map entries are '^key value' pairs, as in {^max_tokens 64}")
            self.read_prop(entries)
        return MapNode(start, tuple(entries))

    def read_prop(self, props: List[Tuple[str, Node]]) -> None:
        """Read ``^key value``, ``^^key`` (true) or ``^!key`` (nil) into ``props``."""
        start = self.location()
        self.advance()
        flag: Optional[bool] = None
        if self.peek() in ("^", "!"):
            flag = self.advance() == "^"
        key_start = self.pos
        key = self.read_token()[0] if self.peek() and self.peek() not in _DELIMITERS else ""
        if not key:
            raise self.fail("'^' must be followed by a property name, as in ^context", start)
        if _UNESCAPED_CARET.search(self.source[key_start:self.pos]):
            raise self.fail(f"nested property names such as ^{key} are not supported", start)
        if any(name == key for name, _ in props):
            raise self.fail(f"property ^{key} is given twice", start)
        if flag is not None:
            props.append((key, Literal(start, True if flag else None)))
            return
        self.skip_blank()
        if not self.peek() or self.peek() == "^" or self.peek() in _OPENER_OF:
            raise self.fail(f"property ^{key} has no value", start)
        props.append((key, self.read_form()))

    def read_string(self) -> Literal:
        start = self.location()
        self.advance()
        chars: List[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.fail("string is never closed with '\"'", start)
            self.advance()
            if char == '"':
                return Literal(start, "".join(chars))
            if char == "\\":
                chars.append(self.read_escape(start))
            else:
                chars.append(char)

    def read_escape(self, string_start: Location) -> str:
        escape_start = Location(self.file, self.line, self.column - 1)
        char = self.peek()
        if not char:
            raise self.fail("string is never closed with '\"'", string_start)
        self.advance()
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char != "u":
            return char
        code = self.read_hex4(escape_start)
        if 0xD800 <= code <= 0xDBFF:
            if self.peek() != "\\" or self.peek(1) != "u":
                raise self.fail(f"\\u{code:04X} is half of a surrogate pair; a \\uDC00-\\uDFFF escape "
                                "must follow it", escape_start)
            self.advance()
            self.advance()
            low = self.read_hex4(escape_start)
            if not 0xDC00 <= low <= 0xDFFF:
                raise self.fail(f"\\u{code:04X} must be followed by a low surrogate \\uDC00-\\uDFFF, "
                                f"not \\u{low:04X}", escape_start)
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        if 0xDC00 <= code <= 0xDFFF:
            raise self.fail(f"\\u{code:04X} is a lone low surrogate", escape_start)
        return chr(code)

    def read_hex4(self, escape_start: Location) -> int:
        digits = "".join(self.peek(offset) for offset in range(4))
        if len(digits) != 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise self.fail("\\u must be followed by four hexadecimal digits", escape_start)
        for _ in range(4):
            self.advance()
        return int(digits, 16)

    def read_quote(self) -> QuoteNode:
        start = self.location()
        self.advance()
        char = self.peek()
        if not char or char.isspace() or char in _DELIMITERS or char in ":^#,":
            raise self.fail("':' quotes a symbol and must be followed by one, as in :stop", start)
        name = self.read_token()[0]
        if _NUMBER_START.match(name) or name in _KEYWORD_LITERALS:
            raise self.fail(f"only symbols can be quoted, not :{name}", start)
        return QuoteNode(start, name)

    def read_token(self) -> Tuple[str, bool]:
        """The token at the cursor, and whether a backslash escaped part of it."""
        chars: List[str] = []
        escaped = False
        while True:
            char = self.peek()
            if not char or char.isspace() or char == "," or char in _DELIMITERS:
                return "".join(chars), escaped
            self.advance()
            if char == "\\":
                if not self.peek():
                    raise self.fail("a backslash at the end of the input escapes nothing")
                char = self.advance()
                escaped = True
            chars.append(char)

    def read_atom(self) -> Node:
        start = self.location()
        text, escaped = self.read_token()
        if _NUMBER_START.match(text) and not escaped:
            if not _NUMBER.match(text):
                raise self.fail(f"invalid number '{text}'", start)
            if any(mark in text for mark in ".eE"):
                return Literal(start, float(text))
            return Literal(start, int(text))
        if text in _KEYWORD_LITERALS:
            return Literal(start, _KEYWORD_LITERALS[text])
        return SymbolNode(start, text)
