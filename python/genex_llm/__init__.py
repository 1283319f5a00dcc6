"""Local LLM inference through llama.cpp: the Python face of Gene's ``genex/llm``.

>>> import genex_llm
>>> with genex_llm.load_model(genex_llm.default_model_path()) as model:
...     with model.new_session(temperature=0) as session:
...         print(session.infer("The capital of France is", max_tokens=8)["text"])
"""

from __future__ import annotations

import logging

from . import models
from ._backend import native as _native_backend
from ._model import Model, load_model
from ._session import Session
from .exceptions import (
    ContextLimitError,
    GeneException,
    InferenceError,
    LlmError,
    ModelBusyError,
    ModelClosedError,
    ModelLoadError,
    OptionError,
    SessionClosedError,
    UnsupportedOptionError,
)
from .models import default_model_path
from .types import Completion, FinishReason, InferOptions, LoadOptions, SessionOptions

__version__ = "0.1.0"

# A library logs but never decides where logs go: without this, Python's
# last-resort handler would print llama.cpp's warnings on stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Completion",
    "ContextLimitError",
    "FinishReason",
    "GeneException",
    "InferOptions",
    "InferenceError",
    "LlmError",
    "LoadOptions",
    "Model",
    "ModelBusyError",
    "ModelClosedError",
    "ModelLoadError",
    "OptionError",
    "Session",
    "SessionClosedError",
    "SessionOptions",
    "UnsupportedOptionError",
    "default_model_path",
    "load_model",
    "models",
    "system_info",
]


def system_info() -> str:
    """The llama.cpp back-ends and CPU features this build uses.

    >>> genex_llm.system_info()
    'CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | ...'
    """
    return str(_native_backend().system_info())
