"""Printing Gene values: Gene syntax that reads back to the same value."""

from __future__ import annotations

import io
from typing import Any, Dict, List

from hypothesis import given, settings
from hypothesis import strategies as st

import genex_llm
from genex_llm.gene import Interpreter, display, to_gene
from genex_llm.gene.llm_bridge import to_gene_value
from genex_llm.gene.printer import describe
from genex_llm.gene.values import Symbol, Value


def test_a_completion_prints_as_a_gene_map() -> None:
    completion = {"text": "Paris.", "tokens": ["Paris", "."], "finish_reason": genex_llm.FinishReason.STOP,
                  "latency_ms": 12}
    assert to_gene(to_gene_value(completion)) == \
        '{^text "Paris." ^tokens ["Paris" "."] ^finish_reason :stop ^latency_ms 12}'


def test_scalars() -> None:
    assert [to_gene(v) for v in (None, True, False, 0, -12, 2.5, 3.0, 1e-05, 1e20)] == \
        ["nil", "true", "false", "0", "-12", "2.5", "3.0", "1e-05", "1e+20"]


def test_strings_are_quoted_with_escapes() -> None:
    assert to_gene('say "hi"\\\n\t\r\b\f\x00\x7fé😀') == '"say \\"hi\\"\\\\\\n\\t\\r\\b\\f\\u0000\\u007Fé😀"'


def test_display_shows_text_and_symbols_bare_and_everything_else_as_gene() -> None:
    samples: List[Value] = ['a "b"', Symbol("stop"), None, [Symbol("stop"), "x"], {"k": "v"}]
    assert [display(v) for v in samples] == ['a "b"', "stop", "nil", '[:stop "x"]', '{^k "v"}']


def test_map_keys_and_symbols_that_would_split_are_escaped() -> None:
    tricky: Value = {"general.name": 1, "with space": 2, "a^b": 3, "(x)": 4, "!not_a_flag": 5}
    assert to_gene(tricky) == "{^general.name 1 ^with\\ space 2 ^a\\^b 3 ^\\(x\\) 4 ^\\!not_a_flag 5}"
    assert Interpreter(io.StringIO()).run(to_gene(tricky)) == tricky


def test_objects_print_as_gene_expressions() -> None:
    interpreter = Interpreter(io.StringIO())
    printed = interpreter.run("""
      (fn add [a b ^scale] a)
      [add (fn [] 1) println genex/llm genex/llm/Model (new genex/llm/ModelLoadError "gone")]
    """)
    assert to_gene(printed) == ('[(fn add [a b ^scale]) (fn []) (native_fn println) (ns genex/llm) '
                                'genex/llm/Model (genex/llm/ModelLoadError ^message "gone")]')


def test_describe_names_the_type_and_shortens_long_values() -> None:
    assert describe("x" * 100) == 'string "' + "x" * 56 + "..."
    assert describe([1]) == "array [1]"
    assert describe(Symbol("a")) == "symbol :a"
    assert describe(None) == "nil nil"


names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), names.map(Symbol),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(values)
def test_printed_data_reads_and_evaluates_back_to_the_same_value(value: Any) -> None:
    printed = to_gene(value)
    assert to_gene(Interpreter(io.StringIO()).run(printed)) == printed


def test_facade_results_map_to_gene_data() -> None:
    result: Dict[str, Any] = {"tokens": ("a", "b"), "nested": {"reason": genex_llm.FinishReason.LENGTH},
                              "n": 1, "x": 0.5, "flag": True, "none": None}
    converted: Value = to_gene_value(result)
    expected: Dict[str, Value] = {"tokens": ["a", "b"], "nested": {"reason": Symbol("length")}, "n": 1, "x": 0.5,
                                  "flag": True, "none": None}
    assert converted == expected
    reasons: List[Value] = [to_gene_value(reason) for reason in genex_llm.FinishReason]
    assert reasons == [Symbol("stop"), Symbol("length"), Symbol("cancelled"), Symbol("error")]
