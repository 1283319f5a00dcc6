#!/usr/bin/env python3
"""Measures how genex_llm shares a process: cancel latency, Ctrl-C latency, and the
speed of an unrelated Python thread while a session decodes.

    .venv/bin/python tools/measure_responsiveness.py [--model PATH] [--rounds N]

A measurement, not a test: run it on a quiet machine and read the medians.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from typing import Callable, List

import genex_llm

LONG_PROMPT = "The quick brown fox jumps over the lazy dog. " * 180  # ~1800 tokens
COUNTING = "1, 2, 3, 4, 5, 6,"


def cancel_delay(session: genex_llm.Session, prompt: str, after: float) -> float:
    """Seconds from cancel() to infer() returning."""
    cancelled_at: List[float] = []

    def cancel() -> None:
        cancelled_at.append(time.monotonic())
        session.cancel()

    timer = threading.Timer(after, cancel)
    timer.start()
    result = session.infer(prompt)
    returned = time.monotonic()
    timer.join()
    if result["finish_reason"] is not genex_llm.FinishReason.CANCELLED:
        raise RuntimeError("the call finished before cancel(); lengthen the work")
    return returned - cancelled_at[0]


def python_work_rate(seconds: float, stop: Callable[[], bool] = lambda: False) -> float:
    """Iterations per second of a pure-Python loop."""
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds and not stop():
        for _ in range(1000):
            count += 1
    return count / (time.perf_counter() - started)


def bystander_ratio(session: genex_llm.Session) -> float:
    """A Python thread's loop speed while a session decodes, over its speed alone."""
    alone = python_work_rate(1.0)
    finished = threading.Event()

    def decode() -> None:
        session.infer(COUNTING, max_tokens=400)
        finished.set()

    worker = threading.Thread(target=decode)
    worker.start()
    time.sleep(0.1)
    during = python_work_rate(1.0, finished.is_set)
    worker.join()
    return during / alone


def sigint_delay(model_path: str) -> float:
    child = textwrap.dedent(f"""
        import signal, time, genex_llm
        signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
        model = genex_llm.load_model({model_path!r}, threads=1)
        session = model.new_session(context=2048, batch=2048, temperature=0)
        print("ready", flush=True)
        try:
            session.infer({LONG_PROMPT!r})
        except KeyboardInterrupt:
            print(time.monotonic(), flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.readline()
    time.sleep(0.3)
    sent = time.monotonic()
    os.kill(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=120)
    return float(out.strip()) - sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="GGUF file (default: the default model)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = args.model or genex_llm.default_model_path()
    with genex_llm.load_model(path) as model:
        with model.new_session(context=2048, batch=2048, temperature=0, max_tokens=1500, threads=1) as session:
            prompt_delays = []
            for _ in range(args.rounds):
                session.reset()  # or the next round would resume from the prefix this one evaluated
                prompt_delays.append(cancel_delay(session, LONG_PROMPT, 0.2))
            session.infer(COUNTING, max_tokens=1)  # cached: generation starts at once
            generation_delays = [cancel_delay(session, COUNTING, 0.5) for _ in range(args.rounds)]
            ratios = [bystander_ratio(session) for _ in range(args.rounds)]
    interrupts = [sigint_delay(path) for _ in range(args.rounds)]

    def ms(values: List[float]) -> str:
        return f"median {statistics.median(values) * 1000:6.1f} ms, max {max(values) * 1000:6.1f} ms"

    print(f"cores: {os.cpu_count()}, rounds: {args.rounds}, model: {os.path.basename(path)}")
    print(f"cancel() during prompt evaluation -> return: {ms(prompt_delays)}")
    print(f"cancel() during generation        -> return: {ms(generation_delays)}")
    print(f"Ctrl-C during prompt evaluation   -> KeyboardInterrupt: {ms(interrupts)}")
    print(f"Python thread speed while a 1-thread session decodes: "
          f"{statistics.median(ratios):.2f} x its speed alone (min {min(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
