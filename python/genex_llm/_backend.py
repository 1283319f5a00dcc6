"""Chooses the back-end that loads models: the native module, or the mock.

The native module is the default. The mock is chosen only on request
(``GENEX_LLM_BACKEND=mock``), never substituted because the native module
failed to import: that failure is reported with how to build it.
"""

from __future__ import annotations

import os
from types import ModuleType

from .exceptions import OptionError

BACKEND_VARIABLE = "GENEX_LLM_BACKEND"
BUILD_HINT = (
    "genex_llm's native extension (genex_llm._native) is not built or cannot be loaded. "
    "Build it from a source checkout with `./dev setup` (or `pip install .`); "
    "see docs/building.md. To try the API without a model, set GENEX_LLM_BACKEND=mock."
)


def native() -> ModuleType:
    try:
        from . import _native
    except ImportError as error:
        raise ImportError(f"{BUILD_HINT} (import failed: {error})") from error
    return _native


def selected() -> ModuleType:
    """The back-end named by GENEX_LLM_BACKEND, read at each load so tests can switch it."""
    name = os.environ.get(BACKEND_VARIABLE, "native").strip().lower() or "native"
    if name == "native":
        return native()
    if name == "mock":
        from . import _mock

        return _mock
    raise OptionError(f"{BACKEND_VARIABLE}={name!r} names no back-end; use 'native' or 'mock'")
