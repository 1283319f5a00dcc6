"""The genex/llm bridge: options in, results out, handles as objects, facade errors as Gene exceptions."""

from __future__ import annotations

import io
from typing import Any, Callable, Type

import pytest

import genex_llm
from genex_llm import exceptions
from genex_llm.gene import GeneThrow, Interpreter, to_gene
from genex_llm.gene.llm_bridge import ModelObject
from genex_llm.gene.values import Symbol


@pytest.fixture
def gene(mock_backend: None) -> Interpreter:
    return Interpreter(io.StringIO())


def test_map_options_and_props_reach_the_facade_without_carets(gene: Interpreter) -> None:
    printed = gene.run("""
      (var model (genex/llm/load_model "m.gguf" {^allow_missing true ^context 1024 ^threads 3} ^gpu_layers 0))
      (var session (model .new_session {^context 512 ^batch 64 ^temperature 0.5} ^top_k 7 ^seed 11))
      [model/context model/threads model/gpu_layers session/context session/batch
       session/temperature session/top_k session/seed session/threads]
    """)
    assert printed == [1024, 3, 0, 512, 64, 0.5, 7, 11, 3]


def test_props_win_over_the_options_map_and_nil_means_not_given(gene: Interpreter) -> None:
    printed = gene.run("""
      (var model (genex/llm/load_model "m.gguf" {^allow_missing true ^context 1024 ^mlock nil} ^context 768))
      (var session (model .new_session {^max_tokens nil}))
      [model/context model/mlock session/max_tokens]
    """)
    assert printed == [768, False, 256]


def test_a_completion_becomes_a_gene_map_with_a_symbol_finish_reason(gene: Interpreter) -> None:
    result = gene.run("""
      (var model (genex/llm/load_model "m.gguf" {^allow_missing true}))
      ((model .new_session) .infer "Hello" {^max_tokens 3} ^temperature 0)
    """)
    assert isinstance(result, dict)
    assert result["finish_reason"] in {Symbol("stop"), Symbol("length")}
    tokens = result["tokens"]
    assert isinstance(tokens, list) and result["text"] == "".join(str(token) for token in tokens)
    assert to_gene(result).startswith('{^text "')
    assert "^finish_reason :" in to_gene(result)


def test_handles_are_opaque_objects_with_read_only_props(gene: Interpreter) -> None:
    gene.run('(var model (genex/llm/load_model "m.gguf" {^allow_missing true}))')
    gene.run("(var session (model .new_session ^max_tokens 5))")
    assert to_gene(gene.run("session")) == "(genex/llm/Session ^context 2048 ^max_tokens 5 ^closed false)"
    assert gene.run("(session/model == model)") is True
    assert gene.run('model/metadata/general.architecture') == "mock"
    with pytest.raises(GeneThrow, match="genex/llm/Model has no property 'secret'; it has: path context"):
        gene.run("model/secret")
    with pytest.raises(GeneThrow, match="genex/llm/Model has no method .generate"):
        gene.run("(model .generate)")
    with pytest.raises(GeneThrow, match=r"\(model .close\) takes no arguments"):
        gene.run("(model .close 1)")
    with pytest.raises(GeneThrow, match=r"\(model .new_session\) takes an optional options map, got 2 arguments"):
        gene.run("(model .new_session {} {})")
    with pytest.raises(GeneThrow, match=r"\(session .infer\) takes a prompt and an optional options map, got 0"):
        gene.run("(session .infer)")
    with pytest.raises(GeneThrow, match=r"genex/llm/load_model options must be a map such as \{\^max_tokens 64\}, "
                                        r"got array \[1 2\]"):
        gene.run('(genex/llm/load_model "m.gguf" [1 2])')
    with pytest.raises(GeneThrow, match=r"option 'context' must be an integer, got Symbol :big"):
        gene.run('(genex/llm/load_model "m.gguf" {^allow_missing true ^context :big})')
    with pytest.raises(GeneThrow, match="genex/llm/default_model_path takes no arguments"):
        gene.run("(genex/llm/default_model_path 1)")


def test_default_model_path_is_the_facades(gene: Interpreter) -> None:
    assert gene.run("(genex/llm/default_model_path)") == genex_llm.default_model_path()


ERROR_CLASSES = [getattr(exceptions, name) for name in exceptions.__all__ if name != "GeneException"]


@pytest.mark.parametrize("error_type", ERROR_CLASSES, ids=lambda t: t.__name__)
def test_every_facade_error_is_a_gene_exception_with_the_same_message(
        error_type: Type[exceptions.LlmError], gene: Interpreter, monkeypatch: pytest.MonkeyPatch) -> None:
    message = f"{error_type.__name__} happened: 'x' at 1"

    def fail(*args: Any, **kwargs: Any) -> None:
        raise error_type(message)

    monkeypatch.setattr(genex_llm, "load_model", fail)
    caught = gene.run(f"""
      (try (genex/llm/load_model "m.gguf")
      catch genex/llm/{error_type.__name__}
        [$ex/.message $ex])
    """)
    assert isinstance(caught, list) and caught[0] == message
    assert to_gene(caught[1]) == f'(genex/llm/{error_type.__name__} ^message "{message}")'
    with pytest.raises(GeneThrow) as uncaught:
        gene.run('(genex/llm/load_model "m.gguf")')
    assert type(uncaught.value.error) is error_type and uncaught.value.error.message == message


@pytest.mark.real
def test_a_real_model_completes_through_the_bridge(real_model: genex_llm.Model,
                                                   chat_prompt: Callable[[str], str]) -> None:
    gene = Interpreter(io.StringIO())
    gene.globals.define("model", ModelObject(real_model))
    gene.globals.define("prompt", chat_prompt("Name a colour."))
    result = gene.run("""
      (var session (model .new_session {^temperature 0 ^max_tokens 4}))
      (var result (session .infer prompt))
      (session .close)
      result
    """)
    assert isinstance(result, dict)
    assert result["finish_reason"] in {Symbol("stop"), Symbol("length")}
    tokens = result["tokens"]
    assert isinstance(tokens, list) and 1 <= len(tokens) <= 4 and all(isinstance(t, str) for t in tokens)
    assert result["text"] == "".join(t for t in tokens if isinstance(t, str))
    assert isinstance(result["latency_ms"], int) and result["latency_ms"] >= 0
    assert gene.run("[model/n_vocab model/closed]") == [real_model.n_vocab, False]
