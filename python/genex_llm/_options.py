"""Validation and clamping of option mappings, before anything reaches native code.

Options arrive as a mapping whose keys are Gene property names without the
caret, as keyword arguments, or both (keywords win). Every rule about what is
accepted, clamped or refused lives here, so the Python API, the Gene bridge
and the documentation agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Union

from .exceptions import OptionError, UnsupportedOptionError

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
UINT32_MAX = 2**32 - 1
# llama.cpp's thread pool refuses more (GGML_MAX_N_THREADS).
MAX_THREADS = 512
MIN_CONTEXT = 256
MAX_TEMPERATURE = 100.0

UNSUPPORTED_MESSAGE = "timeout/streaming not supported for local inference yet"
UNSUPPORTED_KEYS = frozenset({"timeout", "timeout_ms", "stream", "callback", "on_token"})

Number = Union[int, float]


def describe(value: object) -> str:
    """A short rendering of a bad value for error messages."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


@dataclass(frozen=True)
class IntOption:
    """An integer, clamped into [low, high]; values outside 32 bits are refused."""

    low: int = INT32_MIN
    high: int = INT32_MAX
    wire_min: int = INT32_MIN
    wire_max: int = INT32_MAX

    def convert(self, key: str, value: object, high: Optional[int] = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise OptionError(f"option {key!r} must be an integer, got {describe(value)}")
        if not self.wire_min <= value <= self.wire_max:
            raise OptionError(
                f"option {key!r} is out of range: {value} is not between "
                f"{self.wire_min} and {self.wire_max}"
            )
        upper = self.high if high is None else min(self.high, high)
        return max(self.low, min(upper, value))


@dataclass(frozen=True)
class FloatOption:
    """A finite number, clamped into [low, high]; ``open_low`` refuses ``low`` itself."""

    low: float
    high: float
    clamp: bool = True
    open_low: bool = False

    def convert(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise OptionError(f"option {key!r} must be a number, got {describe(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise OptionError(f"option {key!r} must be a finite number, got {value!r}")
        if self.clamp:
            return max(self.low, min(self.high, number))
        too_low = number <= self.low if self.open_low else number < self.low
        if too_low or number > self.high:
            bracket = "(" if self.open_low else "["
            raise OptionError(
                f"option {key!r} must be in {bracket}{self.low:g}, {self.high:g}], got {value!r}"
            )
        return number


@dataclass(frozen=True)
class BoolOption:
    def convert(self, key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise OptionError(f"option {key!r} must be true or false, got {describe(value)}")
        return value


Spec = Union[IntOption, FloatOption, BoolOption]

LOAD_SPECS: Dict[str, Spec] = {
    "context": IntOption(low=MIN_CONTEXT),
    "threads": IntOption(low=1, high=MAX_THREADS),
    "gpu_layers": IntOption(low=0),
    "disable_mmap": BoolOption(),
    "mlock": BoolOption(),
    "allow_missing": BoolOption(),
}

INFER_SPECS: Dict[str, Spec] = {
    "max_tokens": IntOption(low=1),
    "temperature": FloatOption(0.0, MAX_TEMPERATURE),
    "top_p": FloatOption(0.0, 1.0, clamp=False, open_low=True),
    "top_k": IntOption(low=0),
    "seed": IntOption(low=0, high=UINT32_MAX, wire_min=0, wire_max=UINT32_MAX),
}

SESSION_SPECS: Dict[str, Spec] = {
    "context": IntOption(low=MIN_CONTEXT),
    "batch": IntOption(low=1),
    "threads": IntOption(low=1, high=MAX_THREADS),
    **INFER_SPECS,
}

SAMPLING_DEFAULTS: Dict[str, Number] = {
    "seed": 42,
    "temperature": 0.7,
    "top_p": 0.9,
    "top_k": 40,
    "max_tokens": 256,
}
DEFAULT_CONTEXT = 2048
DEFAULT_BATCH = 512


def merge(where: str, opts: Optional[Mapping[str, Any]], keywords: Mapping[str, Any],
          specs: Mapping[str, Spec]) -> Dict[str, Any]:
    """The given options as one dict, with unknown and unsupported keys refused."""
    if opts is not None and not isinstance(opts, Mapping):
        raise OptionError(f"{where} options must be a mapping, got {describe(opts)}")
    merged: Dict[str, Any] = {**(opts or {}), **keywords}
    for key, value in merged.items():
        if not isinstance(key, str):
            raise OptionError(f"{where} option names must be strings, got {describe(key)}")
        if key in UNSUPPORTED_KEYS or callable(value):
            raise UnsupportedOptionError(UNSUPPORTED_MESSAGE, option=key)
    for key in merged:
        if key not in specs:
            raise OptionError(
                f"unknown option {key!r} for {where}; valid options: {', '.join(sorted(specs))}"
            )
    return merged


def resolve(given: Mapping[str, Any], specs: Mapping[str, Spec],
            defaults: Mapping[str, Any], bounds: Optional[Mapping[str, int]] = None) -> Dict[str, Any]:
    """Every option of ``specs``: the given ones converted and clamped, the rest defaulted.

    ``bounds`` lowers an option's upper clamp for this call (a batch cannot
    exceed its session's context).
    """
    resolved: Dict[str, Any] = dict(defaults)
    for key, value in given.items():
        spec = specs[key]
        if isinstance(spec, IntOption):
            resolved[key] = spec.convert(key, value, (bounds or {}).get(key))
        else:
            resolved[key] = spec.convert(key, value)
    return resolved


def load_options(opts: Optional[Mapping[str, Any]], keywords: Mapping[str, Any],
                 default_threads: Callable[[], int]) -> Dict[str, Any]:
    given = merge("load_model", opts, keywords, LOAD_SPECS)
    defaults = {
        "context": DEFAULT_CONTEXT,
        "threads": max(1, min(MAX_THREADS, default_threads())),
        "gpu_layers": 0,
        "disable_mmap": False,
        "mlock": False,
        "allow_missing": False,
    }
    return resolve(given, LOAD_SPECS, defaults)


def session_options(opts: Optional[Mapping[str, Any]], keywords: Mapping[str, Any],
                    model_context: int, model_threads: int) -> Dict[str, Any]:
    given = merge("new_session", opts, keywords, SESSION_SPECS)
    context_only = resolve({k: v for k, v in given.items() if k == "context"}, SESSION_SPECS,
                           {"context": model_context})
    context = context_only["context"]
    defaults = {
        "context": context,
        "batch": min(DEFAULT_BATCH, context),
        "threads": model_threads,
        **SAMPLING_DEFAULTS,
    }
    return resolve(given, SESSION_SPECS, defaults, bounds={"batch": context})


def infer_options(opts: Optional[Mapping[str, Any]], keywords: Mapping[str, Any],
                  session_defaults: Mapping[str, Any]) -> Dict[str, Any]:
    given = merge("infer", opts, keywords, INFER_SPECS)
    defaults = {key: session_defaults[key] for key in INFER_SPECS}
    return resolve(given, INFER_SPECS, defaults)


def check_prompt(prompt: object) -> str:
    """The prompt, if it is a str that can be encoded as UTF-8."""
    if not isinstance(prompt, str):
        raise OptionError(f"prompt must be a str, got {describe(prompt)}")
    try:
        prompt.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = prompt[error.start:error.end]
        raise OptionError(
            f"prompt is not valid text: {bad!r} at index {error.start} cannot be encoded as UTF-8"
        ) from None
    return prompt
