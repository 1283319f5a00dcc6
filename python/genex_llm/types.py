"""The shapes of genex_llm's options and results."""

from __future__ import annotations

import enum
from typing import List, TypedDict

__all__ = ["Completion", "FinishReason", "InferOptions", "LoadOptions", "SessionOptions"]


class FinishReason(str, enum.Enum):
    """Why a completion ended; Gene sees these as the symbols ``:stop`` and so on."""

    STOP = "stop"
    """The model emitted an end-of-generation token."""
    LENGTH = "length"
    """``max_tokens`` was reached or the context filled up."""
    CANCELLED = "cancelled"
    """The inference was cancelled or interrupted."""
    ERROR = "error"
    """llama.cpp failed part-way; the text so far is kept."""

    def __str__(self) -> str:
        return self.value


class LoadOptions(TypedDict, total=False):
    """Options of :func:`genex_llm.load_model` (Gene: ``{^context 4096 ...}``)."""

    context: int
    threads: int
    gpu_layers: int
    disable_mmap: bool
    mlock: bool
    allow_missing: bool


class InferOptions(TypedDict, total=False):
    """Per-call options of :meth:`genex_llm.Session.infer`."""

    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    seed: int


class SessionOptions(InferOptions, total=False):
    """Options of :meth:`genex_llm.Model.new_session`; the sampling ones become its defaults."""

    context: int
    batch: int
    threads: int


class _CompletionCore(TypedDict):
    text: str
    tokens: List[str]
    finish_reason: FinishReason
    latency_ms: int


class Completion(_CompletionCore, total=False):
    """The result of :meth:`genex_llm.Session.infer`.

    ``"".join(tokens) == text``; ``len(tokens)`` is the number of generated
    tokens (a token whose bytes end inside a character is ``""`` and its
    bytes join the next one).
    """

    prompt_tokens: int
    reused_tokens: int
    """Prompt tokens found in the session's cache and not evaluated again."""
    completion_tokens: int
    prompt_ms: float
    """Wall time of prompt evaluation."""
    generation_ms: float
    """Wall time of the token loop."""
    decode_ms: float
    """Part of ``generation_ms`` spent inside llama.cpp's decode."""
