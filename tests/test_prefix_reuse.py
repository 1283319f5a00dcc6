"""A session reuses the cached prefix of its previous call, with results equal to a cold session's."""

from __future__ import annotations

import pytest

import genex_llm

pytestmark = pytest.mark.real

PREFIX = "A long shared preamble about rivers, mountains and old cities. " * 40  # ~520 tokens
SUFFIXES = ["Tell me about the food.", "Tell me about the rivers.", "What is the weather like?"]


@pytest.mark.parametrize("temperature", [0.0, 0.9])
def test_reused_prefixes_give_the_same_completions_as_cold_sessions(real_model: genex_llm.Model,
                                                                    temperature: float) -> None:
    with real_model.new_session(temperature=temperature, seed=11, max_tokens=16) as warm:
        for suffix in SUFFIXES + SUFFIXES[:1]:
            result = warm.infer(PREFIX + suffix)
            with real_model.new_session(temperature=temperature, seed=11, max_tokens=16) as cold:
                expected = cold.infer(PREFIX + suffix)
            assert result["text"] == expected["text"]
            assert expected["reused_tokens"] == 0


def test_the_shared_prefix_is_not_evaluated_again(real_model: genex_llm.Model) -> None:
    with real_model.new_session(temperature=0, max_tokens=4) as session:
        first = session.infer(PREFIX + SUFFIXES[0])
        second = session.infer(PREFIX + SUFFIXES[1])
        assert first["reused_tokens"] == 0
        assert second["reused_tokens"] >= first["prompt_tokens"] - 8
        repeat = session.infer(PREFIX + SUFFIXES[1])
        assert repeat["reused_tokens"] == repeat["prompt_tokens"] - 1  # the last token is always evaluated
        assert repeat["text"] == second["text"]


def test_reset_drops_the_cache(real_model: genex_llm.Model) -> None:
    with real_model.new_session(temperature=0, max_tokens=4) as session:
        before = session.infer(PREFIX)
        session.reset()
        after = session.infer(PREFIX)
        assert after["reused_tokens"] == 0 and after["text"] == before["text"]
        session.close()
        with pytest.raises(genex_llm.SessionClosedError):
            session.reset()
