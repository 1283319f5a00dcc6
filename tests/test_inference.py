"""The completion contract, against the real default model."""

from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genex_llm
from genex_llm import ContextLimitError, FinishReason, OptionError
from genex_llm import _native

pytestmark = pytest.mark.real

Chat = Callable[[str], str]


def check_invariants(result: genex_llm.Completion, max_tokens: int) -> None:
    assert set(result) >= {"text", "tokens", "finish_reason", "latency_ms", "prompt_tokens", "completion_tokens"}
    assert "".join(result["tokens"]) == result["text"]
    result["text"].encode("utf-8")  # raises on lone surrogates: the text must be valid UTF-8
    assert len(result["tokens"]) == result["completion_tokens"] <= max_tokens
    assert isinstance(result["finish_reason"], FinishReason)
    assert isinstance(result["latency_ms"], int) and result["latency_ms"] >= 0


def test_a_short_answer_stops_at_the_end_of_generation_token(session: genex_llm.Session, chat_prompt: Chat) -> None:
    result = session.infer(chat_prompt("What is the capital of France? Answer in one word."), max_tokens=64)
    check_invariants(result, 64)
    assert result["finish_reason"] is FinishReason.STOP
    assert "Paris" in result["text"]
    assert 0 < len(result["tokens"]) < 64


def test_reaching_max_tokens_finishes_with_length(session: genex_llm.Session) -> None:
    result = session.infer("Once upon a time", max_tokens=5)
    check_invariants(result, 5)
    assert result["finish_reason"] is FinishReason.LENGTH
    assert len(result["tokens"]) == 5
    assert result["prompt_tokens"] == 4


def test_filling_the_context_finishes_with_length(real_model: genex_llm.Model) -> None:
    with real_model.new_session(context=256, temperature=0, max_tokens=1000) as small:
        prompt = "one two three four five six seven eight nine ten " * 20  # ~200 tokens
        result = small.infer(prompt)
    check_invariants(result, 1000)
    assert result["finish_reason"] is FinishReason.LENGTH
    assert result["prompt_tokens"] + len(result["tokens"]) == 257  # the last sampled token needs no slot


def test_greedy_decoding_is_deterministic_and_ignores_the_seed(session: genex_llm.Session) -> None:
    first = session.infer("The three primary colours are", seed=1)
    second = session.infer("The three primary colours are", seed=2)
    assert first["text"] == second["text"] and first["tokens"] == second["tokens"]


def test_the_same_seed_gives_the_same_sample(real_model: genex_llm.Model) -> None:
    with real_model.new_session(temperature=1.2, top_k=0, top_p=1.0, max_tokens=24) as hot:
        texts = [hot.infer("Write a word:", seed=seed)["text"] for seed in (7, 7, 8, 9, 10)]
    assert texts[0] == texts[1]
    assert len(set(texts[1:])) > 1, "different seeds at a high temperature should not all agree"


def test_each_call_is_independent_of_earlier_calls(session: genex_llm.Session, chat_prompt: Chat) -> None:
    question = chat_prompt("Name a fruit.")
    before = session.infer(question)
    session.infer(chat_prompt("My name is Ada. Remember it."), max_tokens=32)
    after = session.infer(question)
    assert after["text"] == before["text"]
    with genex_llm.load_model(session.model.path, threads=session.threads) as fresh_model:
        with fresh_model.new_session(temperature=0, max_tokens=16) as fresh:
            assert fresh.infer(question)["text"] == before["text"]


def test_a_prompt_longer_than_the_context_is_refused_with_both_counts(real_model: genex_llm.Model) -> None:
    with real_model.new_session(context=256) as small:
        with pytest.raises(ContextLimitError) as raised:
            small.infer("word " * 600)
        message = raised.value.message
        assert "256" in message and "60" in message  # ~600 prompt tokens, context 256
        assert small.infer("Hi", max_tokens=2)["completion_tokens"] == 2


def test_an_empty_prompt_is_refused(session: genex_llm.Session) -> None:
    with pytest.raises(OptionError, match="empty"):
        session.infer("")


def test_a_prompt_with_nul_and_emoji_completes(session: genex_llm.Session) -> None:
    result = session.infer("a\0b 😀🎉 ", max_tokens=12)
    check_invariants(result, 12)


def test_emoji_output_keeps_tokens_joined_to_valid_text(session: genex_llm.Session, chat_prompt: Chat) -> None:
    result = session.infer(chat_prompt("Reply with five emoji: 😀😃😄"), max_tokens=40, temperature=0)
    check_invariants(result, 40)


def test_context_larger_than_training_is_refused_with_both_numbers(real_model: genex_llm.Model) -> None:
    too_big = real_model.n_ctx_train * 2
    with pytest.raises(ContextLimitError) as raised:
        real_model.new_session(context=too_big)
    assert str(too_big) in raised.value.message and str(real_model.n_ctx_train) in raised.value.message
    assert "exceeds the loaded model's capability" in raised.value.message


def test_model_properties_describe_the_file(real_model: genex_llm.Model, model_path: str) -> None:
    assert real_model.path == model_path
    assert real_model.n_ctx_train == 8192 and real_model.n_vocab == 49152
    assert real_model.metadata["general.architecture"] == "llama"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in real_model.metadata.items())
    with pytest.raises(TypeError):
        real_model.metadata["general.architecture"] = "x"  # type: ignore[index]


class TestUtf8HoldBack:
    """The token loop's hold-back, driven directly with byte pieces."""

    def test_a_split_character_is_held_back_and_joined(self) -> None:
        assert _native._assemble_utf8([b"a\xe2", b"\x82", b"\xacb"]) == ["a", "", "\u20acb"]

    def test_an_unfinished_character_at_the_end_becomes_a_replacement(self) -> None:
        assert _native._assemble_utf8([b"ok", b"\xf0\x9f"]) == ["ok", "\ufffd"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.binary(max_size=6), max_size=12))
    def test_pieces_decode_like_python_and_align_with_tokens(self, pieces: list[bytes]) -> None:
        texts = _native._assemble_utf8(pieces)
        assert len(texts) == len(pieces)
        assert "".join(texts) == b"".join(pieces).decode("utf-8", errors="replace")
