"""Measures llama-cpp-python the way ``ours`` measures genex_llm, in a child process of its own.

Run as a script by an interpreter that can import ``llama_cpp`` (usually a
separate virtual environment): ``python -I lcp_worker.py``. It imports
nothing from genex_llm, whose native module would add a second llama.cpp
to the process. Reads a JSON task on stdin, prints a JSON result on stdout.

Like with like: the same context, batch and micro-batch, threads and
prompts; the same way of loading the weights (mapped or read into memory);
greedy sampling (``temperature=0``); flash attention on, which is what
llama.cpp's ``auto`` (used by genex_llm and llama-bench) picks on CPU.
``reset()`` before each call makes every completion evaluate its whole
prompt, as genex_llm does, instead of reusing a cached prefix.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any, Dict, List, Mapping


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def measure(task: Mapping[str, Any]) -> Dict[str, Any]:
    llama_cpp = importlib.import_module("llama_cpp")
    started = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=task["model"], n_ctx=task["context"], n_batch=task["batch"], n_ubatch=task["micro_batch"],
        n_threads=task["threads"], n_threads_batch=task["threads"], flash_attn=True, use_mmap=not task["disable_mmap"],
        verbose=False,
    )
    load_ms = _ms_since(started)
    prompts: Mapping[str, str] = task["prompts"]
    gen_prompt = prompts[str(task["depth"])]
    reps = task["repetitions"]

    def complete(prompt: str, max_tokens: int) -> Dict[str, Any]:
        llm.reset()
        began = time.perf_counter()
        result: Dict[str, Any] = llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0)
        wall_ms = _ms_since(began)
        return {"wall_ms": wall_ms, "tokens": result["usage"]["completion_tokens"],
                "prompt_tokens": result["usage"]["prompt_tokens"],
                "finish_reason": result["choices"][0]["finish_reason"]}

    def evaluate(tokens: List[int]) -> float:
        llm.reset()
        began = time.perf_counter()
        llm.eval(tokens)
        return _ms_since(began)

    tokenized = {length: llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
                 for length, text in prompts.items()}
    for length, text in prompts.items():
        evaluate(tokenized[length])
        complete(text, 1)
    complete(gen_prompt, 2)

    prompt_runs: Dict[str, Dict[str, List[float]]] = {}
    for length, text in prompts.items():
        eval_ms = [evaluate(tokenized[length]) for _ in range(reps)]
        firsts = [complete(text, 1) for _ in range(reps)]
        prompt_runs[length] = {"tokens": [run["prompt_tokens"] for run in firsts], "eval_ms": eval_ms,
                               "ttft_ms": [run["wall_ms"] for run in firsts]}

    generation: Dict[str, List[Any]] = {key: [] for key in (
        "first_ms", "call_ms", "tokens", "finish_reason")}
    for _ in range(reps):
        first = complete(gen_prompt, 1)
        full = complete(gen_prompt, task["gen_tokens"])
        generation["first_ms"].append(first["wall_ms"])
        generation["call_ms"].append(full["wall_ms"])
        generation["tokens"].append(full["tokens"])
        generation["finish_reason"].append(full["finish_reason"])
    return {"load_ms": load_ms, "prompt": prompt_runs, "generation": generation,
            "version": str(llama_cpp.__version__)}


def main() -> None:
    task = json.load(sys.stdin)
    json.dump(measure(task), sys.stdout)


if __name__ == "__main__":
    main()
