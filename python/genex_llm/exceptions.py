"""The Gene exception hierarchy that every genex_llm error belongs to.

Gene code catches all of these with ``catch *``; Python code can catch
``GeneException`` or ``LlmError`` for everything, or a subclass for one kind.
The native module raises these same classes through its one translator.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "ContextLimitError",
    "GeneException",
    "InferenceError",
    "LlmError",
    "ModelBusyError",
    "ModelClosedError",
    "ModelLoadError",
    "OptionError",
    "SessionClosedError",
    "UnsupportedOptionError",
]


class GeneException(Exception):
    """Root of Gene exceptions; ``message`` is the text Gene's ``$ex/.message`` shows."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class LlmError(GeneException):
    """Base of every error the ``genex/llm`` capability raises."""


class ModelLoadError(LlmError):
    """A model file is missing, unreadable, or not a model llama.cpp can load."""


class OptionError(LlmError, ValueError):
    """An option is unknown, of the wrong type, or out of range."""


class UnsupportedOptionError(LlmError):
    """An option the local back-end does not offer yet (timeouts, streaming).

    ``message`` is exactly the text the capability specifies, for Gene code that
    compares it; ``option`` names the key that was refused, and ``str()`` shows it.
    """

    def __init__(self, message: str = "", option: Optional[str] = None) -> None:
        super().__init__(message)
        self.option = option
        if option is not None:
            self.args = (f"{message} (option {option!r})",)


class ContextLimitError(LlmError):
    """A context or prompt exceeds what the model or session can hold."""


class ModelClosedError(LlmError):
    """The model handle was closed."""


class SessionClosedError(LlmError):
    """The session handle was closed."""


class ModelBusyError(LlmError):
    """The model still has open sessions and cannot be released."""


class InferenceError(LlmError):
    """llama.cpp failed while evaluating or generating."""
