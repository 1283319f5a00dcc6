"""A reader and evaluator for the part of Gene that ``genex/llm`` programs use.

>>> from genex_llm.gene import Interpreter
>>> Interpreter().run('(var r {^text "hi"}) r/text')
'hi'

Run programs from the shell with ``genex-llm run FILE.gene`` or
``genex-llm eval CODE``; docs/gene.md describes the language subset.
"""

from __future__ import annotations

from .errors import GeneSyntaxError, GeneThrow, Location
from .evaluator import Interpreter
from .printer import display, to_gene
from .reader import read

__all__ = ["GeneSyntaxError", "GeneThrow", "Interpreter", "Location", "display", "read", "to_gene"]
