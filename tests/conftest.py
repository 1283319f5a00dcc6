"""Shared fixtures: the real default model (loaded once) and the mock back-end."""

from __future__ import annotations

import os
from typing import Callable, Iterator

import pytest

import genex_llm

# A back-end chosen in the caller's shell must not silently turn the real
# tests into mock tests; mock tests ask for it through the fixture below.
os.environ.pop("GENEX_LLM_BACKEND", None)

TEST_THREADS = min(2, os.cpu_count() or 1)


def chat(question: str) -> str:
    """A prompt in the chat layout SmolLM2-Instruct was tuned on."""
    return f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="session")
def model_path() -> str:
    return genex_llm.default_model_path()


@pytest.fixture(scope="session")
def real_model(model_path: str) -> Iterator[genex_llm.Model]:
    model = genex_llm.load_model(model_path, context=2048, threads=TEST_THREADS)
    yield model
    model.close()


@pytest.fixture
def session(real_model: genex_llm.Model) -> Iterator[genex_llm.Session]:
    with real_model.new_session(temperature=0, max_tokens=16) as opened:
        yield opened


@pytest.fixture
def mock_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENEX_LLM_BACKEND", "mock")


@pytest.fixture
def mock_model(mock_backend: None) -> Iterator[genex_llm.Model]:
    with genex_llm.load_model("mock.gguf", allow_missing=True) as model:
        yield model


@pytest.fixture
def chat_prompt() -> Callable[[str], str]:
    return chat
