"""A pure-Python stand-in for ``genex_llm._native`` that needs no model.

It has the native module's interface and error behaviour and returns
deterministic completions, so the facade's logic (and the Gene runner) can
be tested and shown without a model file. Select it with
``GENEX_LLM_BACKEND=mock``.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any, Dict, List

from .exceptions import ContextLimitError, ModelBusyError, ModelClosedError, OptionError, SessionClosedError

N_CTX_TRAIN = 8192
N_VOCAB = 256  # one token per UTF-8 byte of the prompt
_WORDS = ("gene", " lisp", " map", " symbol", " model", " token", " session", " reply", " mock", ".")


def system_info() -> str:
    return "MOCK = 1 |"


class CancelToken:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Model:
    def __init__(self, *, path: bytes, context: int, threads: int, gpu_layers: int,
                 use_mmap: bool, use_mlock: bool) -> None:
        self.path = os.fsdecode(path)
        self.context = context
        self.threads = threads
        self.gpu_layers = gpu_layers
        self.use_mmap = use_mmap
        self.use_mlock = use_mlock
        self.n_ctx_train = N_CTX_TRAIN
        self.n_vocab = N_VOCAB
        self.description = "mock 0M mock"
        self.size_bytes = 0
        self.n_params = 0
        self.metadata = {"general.architecture": "mock", "general.name": "genex_llm mock model"}
        self._open_sessions = 0
        self._closed = False
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def open_sessions(self) -> int:
        return self._open_sessions

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self._open_sessions:
                plural = "session is" if self._open_sessions == 1 else "sessions are"
                raise ModelBusyError(
                    f"cannot close the model: {self._open_sessions} {plural} still open; "
                    "all sessions must be closed before the model can be released"
                )
            self._closed = True

    def _session_opened(self) -> None:
        with self._lock:
            if self._closed:
                raise ModelClosedError("model has been closed")
            self._open_sessions += 1

    def _session_closed(self) -> None:
        with self._lock:
            self._open_sessions -= 1


class Session:
    def __init__(self, model: Model, *, context: int, batch: int, threads: int) -> None:
        if context > model.n_ctx_train:
            raise ContextLimitError(
                f"requested context {context} exceeds the loaded model's capability "
                f"({model.n_ctx_train} tokens, the context it was trained with)"
            )
        model._session_opened()
        self._model = model
        self.context = context
        self.batch = batch
        self.threads = threads
        self._closed = False
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return self._closed

    def cancel(self) -> None:
        """Nothing to stop: a mock completion is instant."""

    def reset(self) -> None:
        with self._lock:
            if self._closed:
                raise SessionClosedError("LLM session has been closed")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._model._session_closed()

    def infer(self, prompt: str, *, max_tokens: int, temperature: float, top_p: float,
              top_k: int, seed: int, cancel_token: CancelToken | None = None) -> Dict[str, Any]:
        with self._lock:
            if self._closed:
                raise SessionClosedError("LLM session has been closed")
            n_prompt = len(prompt.encode("utf-8"))
            if n_prompt == 0:
                raise OptionError("prompt is empty: it produced no tokens to start from")
            if n_prompt > self.context:
                raise ContextLimitError(
                    f"prompt is {n_prompt} tokens, but the session's context holds only "
                    f"{self.context} tokens"
                )
            # Greedy decoding ignores the seed, as the native sampler does.
            stream_seed = seed if temperature > 0 else 0
            rng = random.Random(f"{prompt}\0{stream_seed}\0{temperature}\0{top_p}\0{top_k}")
            natural_length = rng.randint(3, 24)
            # Like the native loop: the end token must come before max_tokens
            # or a full context cut the completion short.
            limit = min(max_tokens, self.context - n_prompt + 1)
            count = min(natural_length, limit)
            tokens: List[str] = [rng.choice(_WORDS) for _ in range(count)]
            finish = "stop" if natural_length < limit else "length"
            return {
                "text": "".join(tokens),
                "tokens": tokens,
                "finish_reason": finish,
                "latency_ms": 0,
                "prompt_tokens": n_prompt,
                "reused_tokens": 0,
                "completion_tokens": count,
                "prompt_ms": 0.0,
                "generation_ms": 0.0,
                "decode_ms": 0.0,
            }
