"""The completion dict, with a repr that reads well in a REPL."""

from __future__ import annotations

from typing import Any, Dict, cast

from .types import Completion, FinishReason

_SHOWN_CHARS = 60


class CompletionResult(Dict[str, Any]):
    """A plain dict (JSON-serialisable, equal to any dict with the same items) that
    shows its text truncated, its finish reason and timings when printed."""

    def __repr__(self) -> str:
        text = str(self.get("text", ""))
        shown = repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")
        reason = self.get("finish_reason")
        reason_text = reason.value if isinstance(reason, FinishReason) else str(reason)
        timings = f"latency_ms={self.get('latency_ms')}"
        if "prompt_ms" in self:
            timings += f" prompt_ms={self['prompt_ms']:.1f} generation_ms={self['generation_ms']:.1f}"
        return (f"<Completion {shown} finish_reason={reason_text} tokens={len(self.get('tokens', []))} "
                f"{timings}>")


def completion_from(raw: Dict[str, Any]) -> Completion:
    """The back-end's result as the public Completion."""
    result = CompletionResult(raw)
    result["finish_reason"] = FinishReason(raw["finish_reason"])
    return cast(Completion, result)
