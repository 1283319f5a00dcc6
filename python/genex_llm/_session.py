"""The Session handle: a context over a model that runs completions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional

from ._async import run_in_thread
from ._handle import Handle
from ._options import check_prompt, infer_options
from ._result import completion_from
from .types import Completion

if TYPE_CHECKING:
    from ._model import Model


class Session(Handle):
    """A llama.cpp context over a :class:`Model`, with stored sampling defaults.

    Made by :meth:`Model.new_session`. Calls on one session are serialised;
    different sessions of one model run in parallel. Close it (or use
    ``with``) to free its context; the model stays usable.

    >>> with model.new_session(temperature=0) as session:
    ...     session.infer("The capital of France is", max_tokens=8)["text"]
    ' Paris...'
    """

    __slots__ = ("_model", "_settings")
    _made_by = "sessions come from Model.new_session(opts)"
    _model: Model
    _settings: Dict[str, Any]

    def infer(self, prompt: str, opts: Optional[Mapping[str, Any]] = None, /, **options: Any) -> Completion:
        """Complete ``prompt`` and return ``{"text", "tokens", "finish_reason", "latency_ms", ...}``.

        ``max_tokens``, ``temperature``, ``top_p``, ``top_k`` and ``seed``
        override the session's defaults for this call only. Each call is
        independent of earlier ones. Blocks until done; the GIL is released
        meanwhile.

        >>> session.infer("Say hi", {"max_tokens": 4}, temperature=0)["finish_reason"]
        <FinishReason.LENGTH: 'length'>
        """
        text = check_prompt(prompt)
        settings = infer_options(opts, options, self._settings)
        return self._complete(text, settings)

    async def infer_async(self, prompt: str, opts: Optional[Mapping[str, Any]] = None, /,
                          **options: Any) -> Completion:
        """:meth:`infer` in a worker thread, without blocking the event loop.

        Options are checked at once, in the caller. Cancelling the awaiting
        task cancels the inference (through :meth:`cancel`).

        >>> result = await session.infer_async("Hello", max_tokens=16)
        """
        text = check_prompt(prompt)
        settings = infer_options(opts, options, self._settings)
        token = self._model._backend.CancelToken()
        return await run_in_thread(lambda: self._complete(text, settings, token), token.cancel)

    def _complete(self, text: str, settings: Dict[str, Any], token: Any = None) -> Completion:
        return completion_from(self._native.infer(text, **settings, cancel_token=token))

    def cancel(self) -> None:
        """Stop a running :meth:`infer` (on another thread) soon; it returns what it has
        so far with ``finish_reason`` ``cancelled``. Safe from any thread.

        >>> threading.Timer(0.5, session.cancel).start()
        >>> session.infer(long_prompt)["finish_reason"]
        <FinishReason.CANCELLED: 'cancelled'>
        """
        self._native.cancel()

    def reset(self) -> None:
        """Drop the cached prompt tokens, so the next call evaluates its whole prompt.

        Results never depend on the cache; this only frees its work early.
        """
        self._native.reset()

    def close(self) -> None:
        """Free the context; a running :meth:`infer` is cancelled first. Idempotent."""
        self._native.close()

    @property
    def model(self) -> Model:
        """The model this session was made from (kept alive by the session)."""
        return self._model

    @property
    def context(self) -> int:
        """Tokens the session's context holds: prompt plus completion."""
        return int(self._settings["context"])

    @property
    def batch(self) -> int:
        """Prompt tokens evaluated per llama.cpp decode call."""
        return int(self._settings["batch"])

    @property
    def threads(self) -> int:
        """CPU threads used for evaluation and generation."""
        return int(self._settings["threads"])

    @property
    def seed(self) -> int:
        """Default random seed; the same seed, prompt and options give the same text."""
        return int(self._settings["seed"])

    @property
    def temperature(self) -> float:
        """Default sampling temperature; 0 is greedy."""
        return float(self._settings["temperature"])

    @property
    def top_p(self) -> float:
        """Default nucleus sampling threshold, in (0, 1]."""
        return float(self._settings["top_p"])

    @property
    def top_k(self) -> int:
        """Default top-k filter; 0 disables it."""
        return int(self._settings["top_k"])

    @property
    def max_tokens(self) -> int:
        """Default limit on generated tokens per call."""
        return int(self._settings["max_tokens"])

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        settings = " ".join(f"{key}={value!r}" for key, value in self._settings.items())
        return f"<genex_llm.Session {settings} {state}>"
