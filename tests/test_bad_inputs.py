"""Bad inputs to load_model, new_session and infer, one row each, against the real model.

Every row states its outcome: a documented clamp (the clamped value is read
back from the object made) or a refusal (a GeneException subclass whose
message contains the bad value or its repr). After every row the shared
model and the row's session must still give the same greedy completion as
before, so no bad input leaves either in a broken state.

The rules come from python/genex_llm/_options.py: integers outside 32 bits
are refused, inside them clamped to the option's range; floats must be
finite, temperature is clamped into [0, 100], top_p must be in (0, 1];
seed must fit in 32 unsigned bits; bools are never numbers and numbers
never bools.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Tuple, Type, Union, cast

import pytest

import genex_llm
from genex_llm import (
    ContextLimitError,
    GeneException,
    ModelLoadError,
    OptionError,
    UnsupportedOptionError,
)

from conftest import TEST_THREADS, chat

pytestmark = pytest.mark.real

CHECK_PROMPT = chat("Name a colour.")
CHECK_TOKENS = 4
# Far beyond any context: 2 MiB of ordinary words, and 2 MiB without a
# space, which llama.cpp's BPE tokenizer handles as one word.
HUGE_PROMPT = "hello " * (2 * 1024 * 1024 // 6)
HUGE_WORD = "x" * (2 * 1024 * 1024)
# Both counts: the prompt's (exact, or a lower bound) and the context's.
TOKEN_COUNTS = r"prompt is (at least )?\d{5,} tokens.*2048 tokens"
NON_UTF8_NAME = os.fsdecode(b"\xff.gguf")


@dataclass(frozen=True)
class Ctx:
    model: genex_llm.Model
    session: genex_llm.Session
    tmp: Path


@dataclass(frozen=True)
class Refused:
    """The call raises ``error`` with every fragment (or its repr) in the message.

    Fragments are formatted with ``tmp`` (the row's scratch folder); ``match``
    is a regex the message must also match.
    """

    error: Type[GeneException]
    fragments: Tuple[str, ...]
    match: Optional[str] = None


@dataclass(frozen=True)
class Clamped:
    """The call succeeds and the object it returns has ``value`` for ``name``."""

    name: str
    value: object


@dataclass(frozen=True)
class Row:
    label: str
    call: Callable[[Ctx], Any]
    expect: Union[Refused, Clamped]


def refused(error: Type[GeneException], *fragments: str, match: Optional[str] = None) -> Refused:
    return Refused(error, fragments, match)


def load(path: Callable[[Ctx], Any], **options: Any) -> Callable[[Ctx], Any]:
    return lambda c: genex_llm.load_model(path(c), threads=TEST_THREADS, **options)


def load_real(**options: Any) -> Callable[[Ctx], Any]:
    return lambda c: genex_llm.load_model(c.model.path, **{"threads": TEST_THREADS, **options})


def new_session(*opts: Any, **options: Any) -> Callable[[Ctx], Any]:
    return lambda c: c.model.new_session(*opts, **options)


def infer(prompt: Any, *opts: Any, **options: Any) -> Callable[[Ctx], Any]:
    return lambda c: c.session.infer(prompt, *opts, **{"max_tokens": 2, **options})


def file_with(name: str, content: bytes) -> Callable[[Ctx], str]:
    def make(c: Ctx) -> str:
        path = c.tmp / name
        path.write_bytes(content)
        return str(path)
    return make


LONG_PATH = "/tmp/" + "long-path-segment/" * 277 + "model.gguf"
assert len(LONG_PATH) > 5000

ROWS = [
    # load_model: the path
    Row("path is an int", load(lambda c: 5), refused(OptionError, "int 5")),
    Row("path is None", load(lambda c: None), refused(OptionError, "NoneType None")),
    Row("path is bytes", load(lambda c: b"/tmp/\xff.gguf"), refused(OptionError, repr(b"/tmp/\xff.gguf"))),
    Row("path is a directory", load(lambda c: c.tmp),
        refused(ModelLoadError, "cannot load model '{tmp}': it is a directory")),
    Row("path is an empty file", load(file_with("empty.gguf", b"")),
        refused(ModelLoadError, "'{tmp}/empty.gguf': the file is empty")),
    Row("path is a text file", load(file_with("notes.txt", b"just some text\n" * 10)),
        refused(ModelLoadError, "'{tmp}/notes.txt': not a GGUF file")),
    Row("path contains NUL", load(lambda c: f"{c.tmp}/a\0b.gguf"),
        refused(ModelLoadError, "{tmp}/a\0b.gguf", "the path contains a NUL character")),
    Row("path is not UTF-8 and missing", load(lambda c: f"{c.tmp}/{NON_UTF8_NAME}"),
        refused(ModelLoadError, "{tmp}/" + NON_UTF8_NAME, "model file not found")),
    Row("path is not UTF-8 and not a model", load(file_with(NON_UTF8_NAME, b"GGUF not really")),
        refused(ModelLoadError, "{tmp}/" + NON_UTF8_NAME, "truncated GGUF header")),
    Row("path is 5000 characters", load(lambda c: LONG_PATH), refused(ModelLoadError, LONG_PATH, "not found")),
    Row("path is 5000 characters, allow_missing", load(lambda c: LONG_PATH, allow_missing=True),
        refused(ModelLoadError, LONG_PATH, "File name too long")),
    # load_model: options
    Row("load context is a str", load_real(context="2048"), refused(OptionError, "'context'", "str '2048'")),
    Row("load context is a float", load_real(context=2048.0), refused(OptionError, "'context'", "float 2048.0")),
    Row("load context is a bool", load_real(context=True), refused(OptionError, "'context'", "bool True")),
    Row("load context above 32 bits", load_real(context=2**31), refused(OptionError, "'context'", "2147483648")),
    Row("load context below 32 bits", load_real(context=-(2**31) - 1),
        refused(OptionError, "'context'", "-2147483649")),
    Row("load threads is NaN", load_real(threads=float("nan")), refused(OptionError, "'threads'", "float nan")),
    Row("load mlock is an int", load_real(mlock=1), refused(OptionError, "'mlock'", "int 1")),
    Row("load unknown key", load_real(ctx=4096), refused(OptionError, "'ctx'")),
    Row("load options not a mapping", lambda c: genex_llm.load_model(c.model.path, cast(Any, "context=2048")),
        refused(OptionError, "str 'context=2048'")),
    Row("load timeout", load_real(timeout=5), refused(UnsupportedOptionError, "option 'timeout'")),
    Row("load context beyond training", load_real(context=16384), refused(ContextLimitError, "16384", "8192")),
    Row("load context below the minimum", load_real(context=10), Clamped("context", 256)),
    Row("load negative gpu_layers", load_real(gpu_layers=-1), Clamped("gpu_layers", 0)),
    Row("load threads 0", load_real(threads=0), Clamped("threads", 1)),
    # new_session
    Row("session context beyond training", new_session(context=2**31 - 1),
        refused(ContextLimitError, "2147483647", "8192")),
    Row("session context is NaN", new_session(context=float("nan")), refused(OptionError, "'context'", "nan")),
    Row("session temperature infinite", new_session(temperature=float("inf")),
        refused(OptionError, "'temperature'", "inf")),
    Row("session top_p 0", new_session(top_p=0), refused(OptionError, "'top_p'", "got 0")),
    Row("session top_p above 1", new_session(top_p=1.0000001), refused(OptionError, "'top_p'", "1.0000001")),
    Row("session top_p NaN", new_session({"top_p": float("nan")}), refused(OptionError, "'top_p'", "nan")),
    Row("session seed 2**32", new_session(seed=2**32), refused(OptionError, "'seed'", "4294967296")),
    Row("session seed -1", new_session(seed=-1), refused(OptionError, "'seed'", "-1")),
    Row("session max_tokens is a bool", new_session(max_tokens=True), refused(OptionError, "bool True")),
    Row("session max_tokens 10**100", new_session(max_tokens=10**100), refused(OptionError, str(10**100)[:40])),
    Row("session unknown key", new_session(temp=0.5), refused(OptionError, "'temp'")),
    Row("session key not a str", new_session({1: 2}), refused(OptionError, "int 1")),
    Row("session callback", new_session(on_token=print),
        refused(UnsupportedOptionError, "timeout/streaming not supported", "option 'on_token'")),
    Row("session context 0", new_session(context=0), Clamped("context", 256)),
    Row("session batch 0", new_session(batch=0), Clamped("batch", 1)),
    Row("session batch beyond the context", new_session(batch=10**6), Clamped("batch", 2048)),
    Row("session threads -1", new_session(threads=-1), Clamped("threads", 1)),
    Row("session threads 10**6", new_session(threads=10**6), Clamped("threads", 512)),
    Row("session temperature -3", new_session(temperature=-3), Clamped("temperature", 0.0)),
    Row("session temperature 1e9", new_session(temperature=1e9), Clamped("temperature", 100.0)),
    Row("session top_k -7", new_session(top_k=-7), Clamped("top_k", 0)),
    Row("session max_tokens 0", new_session(max_tokens=0), Clamped("max_tokens", 1)),
    # infer
    Row("prompt is None", infer(None), refused(OptionError, "NoneType None")),
    Row("prompt is bytes", infer(b"hi"), refused(OptionError, "bytes b'hi'")),
    Row("prompt is empty", infer(""), refused(OptionError, "prompt is empty")),
    Row("prompt is a lone surrogate", infer("a\ud800b"), refused(OptionError, "'\\ud800' at index 1")),
    Row("prompt of 2 MiB of words", infer(HUGE_PROMPT),
        refused(ContextLimitError, match=TOKEN_COUNTS)),
    Row("prompt of one 2 MiB word", infer(HUGE_WORD),
        refused(ContextLimitError, match=TOKEN_COUNTS)),
    Row("infer temperature NaN", infer("hi", temperature=float("nan")), refused(OptionError, "'temperature'", "nan")),
    Row("infer top_p negative", infer("hi", {"top_p": -0.5}), refused(OptionError, "'top_p'", "-0.5")),
    Row("infer seed 2**40", infer("hi", seed=2**40), refused(OptionError, "'seed'", str(2**40))),
    Row("infer top_k is a str", infer("hi", top_k="5"), refused(OptionError, "'top_k'", "str '5'")),
    Row("infer session-only key", infer("hi", context=512), refused(OptionError, "'context'", "for infer")),
    Row("infer options not a mapping", infer("hi", [1]), refused(OptionError, "list [1]")),
    Row("infer stream", infer("hi", stream=True), refused(UnsupportedOptionError, "streaming", "option 'stream'")),
    Row("infer max_tokens -5", infer("hi", max_tokens=-5), Clamped("completion_tokens", 1)),
    # NUL is an ordinary character: it must reach the tokenizer whole, not end the prompt.
    Row("prompt contains NUL", infer("a\0b"), Clamped("prompt_tokens", 3)),
]


@pytest.fixture(scope="module")
def baseline(real_model: genex_llm.Model) -> str:
    with real_model.new_session(temperature=0, threads=1) as session:
        text = session.infer(CHECK_PROMPT, max_tokens=CHECK_TOKENS)["text"]
    assert text
    return text


@pytest.fixture
def ctx(real_model: genex_llm.Model, tmp_path: Path) -> Iterator[Ctx]:
    # One thread: on a busy 2-core machine llama.cpp's spinning workers make
    # two threads slower than one for these 4-token checks.
    with real_model.new_session(temperature=0, max_tokens=16, threads=1) as session:
        yield Ctx(real_model, session, tmp_path)


def _contains(message: str, fragment: str) -> bool:
    return fragment in message or repr(fragment)[1:-1] in message


def _close(made: Any) -> None:
    if isinstance(made, (genex_llm.Model, genex_llm.Session)):
        made.close()


def test_the_table_covers_every_entry_point() -> None:
    assert len(ROWS) >= 40
    assert len({row.label for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row.label for row in ROWS])
def test_bad_input(row: Row, ctx: Ctx, baseline: str) -> None:
    expect = row.expect
    if isinstance(expect, Refused):
        with pytest.raises(GeneException) as raised:
            _close(row.call(ctx))
        assert isinstance(raised.value, expect.error), f"{type(raised.value).__name__}: {raised.value}"
        message = str(raised.value)
        # Gene shows .message; only UnsupportedOptionError, whose message is fixed
        # text, adds the refused key to str().
        if isinstance(raised.value, UnsupportedOptionError):
            assert message.startswith(raised.value.message)
        else:
            assert message == raised.value.message
        for fragment in expect.fragments:
            wanted = fragment.format(tmp=ctx.tmp)
            assert _contains(message, wanted), f"{wanted!r} not in {message!r}"
        if expect.match is not None:
            found = re.search(expect.match, message)
            assert found, f"{expect.match!r} does not match {message!r}"
    else:
        made = row.call(ctx)
        try:
            value = made[expect.name] if isinstance(made, dict) else getattr(made, expect.name)
            assert value == expect.value
        finally:
            _close(made)

    after = ctx.session.infer(CHECK_PROMPT, max_tokens=CHECK_TOKENS, temperature=0)["text"]
    assert after == baseline
    assert not ctx.model.closed
