"""Cancellation from another thread and Ctrl-C, during prompt evaluation and generation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Iterator

import pytest

import genex_llm
from genex_llm import FinishReason
from genex_llm._native import MAX_MICRO_BATCH

pytestmark = pytest.mark.real

LONG_PROMPT = "The quick brown fox jumps over the lazy dog. " * 180  # ~1800 tokens


def infer_cancelled_after(session: genex_llm.Session, prompt: str, seconds: float,
                          **options: object) -> tuple[genex_llm.Completion, float]:
    """Runs infer, calling cancel() from another thread after `seconds`; returns the result
    and the time from cancel() to infer's return."""
    cancelled_at: list[float] = []

    def cancel() -> None:
        cancelled_at.append(time.monotonic())
        session.cancel()

    timer = threading.Timer(seconds, cancel)
    timer.start()
    result = session.infer(prompt, **options)
    returned = time.monotonic()
    timer.join()
    return result, returned - cancelled_at[0]


@pytest.fixture
def big_session(real_model: genex_llm.Model) -> Iterator[genex_llm.Session]:
    # One batch holds the whole prompt, so only the abort callback can stop it early.
    with real_model.new_session(context=2048, batch=2048, temperature=0, max_tokens=1500) as opened:
        yield opened


def test_cancel_interrupts_a_long_prompt_evaluation(big_session: genex_llm.Session) -> None:
    # ~1800 prompt tokens in one batch take over a second even on a fast CPU.
    result, delay = infer_cancelled_after(big_session, LONG_PROMPT, 0.1, max_tokens=1)
    print(f"\ncancel during prompt evaluation: returned {delay * 1000:.1f} ms after cancel()")
    assert result["finish_reason"] is FinishReason.CANCELLED
    assert result["tokens"] == [] and result["text"] == ""


def test_cancel_stops_generation_and_keeps_the_text_so_far(big_session: genex_llm.Session) -> None:
    # Cancel once a few dozen tokens' worth of time has passed, measured on
    # this machine as it is now, so a loaded machine cannot make the cancel
    # land before the first token or after the last of 1500.
    prompt = "1, 2, 3, 4, 5, 6,"
    started = time.monotonic()
    big_session.infer(prompt, max_tokens=4)
    four_tokens = time.monotonic() - started
    result, delay = infer_cancelled_after(big_session, prompt, max(0.5, 10 * four_tokens))
    print(f"\ncancel during generation: returned {delay * 1000:.1f} ms after cancel()")
    assert result["finish_reason"] is FinishReason.CANCELLED
    assert 0 < len(result["tokens"]) < 1500
    assert "".join(result["tokens"]) == result["text"]


def test_after_a_cancellation_the_session_answers_like_a_fresh_one(big_session: genex_llm.Session,
                                                                    real_model: genex_llm.Model) -> None:
    question = "Once upon a time"
    infer_cancelled_after(big_session, LONG_PROMPT + question, 0.05)
    infer_cancelled_after(big_session, question, 0.5)
    after = big_session.infer(question, max_tokens=24)
    with real_model.new_session(temperature=0, max_tokens=24) as fresh:
        assert after["text"] == fresh.infer(question)["text"]
    assert after["finish_reason"] is FinishReason.LENGTH


def test_a_prompt_cancelled_part_way_resumes_from_the_micro_batches_it_finished(
        big_session: genex_llm.Session, real_model: genex_llm.Model) -> None:
    # Time the whole prompt here and now, then cancel after about two of its
    # micro-batches: a slower or faster machine moves the cancel by a whole
    # micro-batch before the check below stops holding.
    whole = big_session.infer(LONG_PROMPT, max_tokens=1)
    micro_batch_s = whole["prompt_ms"] / 1000 * MAX_MICRO_BATCH / whole["prompt_tokens"]
    big_session.reset()
    cancelled, _ = infer_cancelled_after(big_session, LONG_PROMPT, 2.2 * micro_batch_s)
    assert cancelled["finish_reason"] is FinishReason.CANCELLED
    retry = big_session.infer(LONG_PROMPT, max_tokens=8)
    assert retry["reused_tokens"] >= MAX_MICRO_BATCH
    # Whole micro-batches, or everything but the last prompt token if the
    # cancel came only after the prompt.
    assert retry["reused_tokens"] % MAX_MICRO_BATCH == 0 or retry["reused_tokens"] == whole["prompt_tokens"] - 1
    with real_model.new_session(context=2048, temperature=0, max_tokens=8) as fresh:
        assert retry["text"] == fresh.infer(LONG_PROMPT)["text"]


def test_a_cancel_before_infer_does_not_cancel_the_next_call(big_session: genex_llm.Session) -> None:
    big_session.cancel()
    assert big_session.infer("Hello", max_tokens=4)["finish_reason"] is FinishReason.LENGTH


def test_ctrl_c_interrupts_inference_and_the_session_stays_usable(model_path: str) -> None:
    child = textwrap.dedent(f"""
        import signal, sys, time
        import genex_llm
        # Python leaves SIGINT ignored when it starts so (a background job of a
        # non-interactive shell, as under nohup); the test needs Python's handler.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        model = genex_llm.load_model({model_path!r}, threads=2)
        session = model.new_session(context=2048, batch=2048, temperature=0, max_tokens=1500)
        expected = session.infer("Hello", max_tokens=6)["text"]
        print("ready", flush=True)
        try:
            session.infer({LONG_PROMPT!r})
            print("not interrupted", flush=True)
        except KeyboardInterrupt:
            print("interrupted", time.monotonic(), flush=True)
        print("again", session.infer("Hello", max_tokens=6)["text"] == expected, flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    time.sleep(0.3)  # into the prompt evaluation
    sent = time.monotonic()
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    lines = out.splitlines()
    assert lines[0].startswith("interrupted"), (out, err)
    delay = float(lines[0].split()[1]) - sent
    print(f"\nCtrl-C to KeyboardInterrupt: {delay * 1000:.1f} ms")
    assert delay < 5.0
    assert lines[1] == "again True"
    assert process.returncode == 0, err
    assert err == "", "a cancelled decode must not print llama.cpp's warnings"


def test_a_cancel_token_stops_its_own_call_even_before_it_starts(big_session: genex_llm.Session) -> None:
    """The per-call token behind infer_async: cancelled early, it still reaches its call, and no other."""
    from genex_llm import _native

    token = _native.CancelToken()
    token.cancel()
    options = {"max_tokens": 50, "temperature": 0.0, "top_p": 0.9, "top_k": 40, "seed": 1}
    stopped = big_session._native.infer("Once upon a time", cancel_token=token, **options)
    assert stopped["finish_reason"] == "cancelled" and stopped["tokens"] == []
    after = big_session._native.infer("Once upon a time", cancel_token=_native.CancelToken(), **options)
    assert after["finish_reason"] == "length" and len(after["tokens"]) == 50
