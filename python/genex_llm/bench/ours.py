"""Measures genex_llm through its public API, in a child process of its own.

Run as ``python -m genex_llm.bench.ours``: reads a JSON task on stdin,
prints a JSON result on stdout. Modes: ``calibrate`` (fit the prompts),
``measure`` (the figures compared with the other systems) and ``scale``
(parallel sessions, memory per session and prefix reuse: figures of
genex_llm's own, with nothing to compare them with).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import genex_llm

from .prompts import fit_prompt


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _timed_infer(session: genex_llm.Session, prompt: str, max_tokens: int) -> Dict[str, Any]:
    """One completion from a cold cache, as llama-bench and llama-cpp-python (reset) are measured."""
    session.reset()
    started = time.perf_counter()
    result = session.infer(prompt, max_tokens=max_tokens, temperature=0)
    wall_ms = _ms_since(started)
    return {**result, "wall_ms": wall_ms, "finish_reason": str(result["finish_reason"])}


def _open(task: Mapping[str, Any], threads: int) -> Tuple[genex_llm.Model, genex_llm.Session, float]:
    started = time.perf_counter()
    model = genex_llm.load_model(task["model"], context=task["context"], threads=threads,
                                 disable_mmap=task["disable_mmap"])
    session = model.new_session(context=task["context"], batch=task["batch"], threads=threads, temperature=0)
    return model, session, _ms_since(started)


def calibrate(task: Mapping[str, Any]) -> Dict[str, Any]:
    """Fit one prompt per requested length, and check greedy generation runs its full budget."""
    model, session, _ = _open(task, task["threads"])
    with model, session:
        def count(text: str) -> int:
            return int(_timed_infer(session, text, 1)["prompt_tokens"])

        prompts: Dict[str, Dict[str, Any]] = {}
        for length in task["lengths"]:
            fitted = fit_prompt(length, count)
            prompts[str(length)] = {"text": fitted.text, "tokens": fitted.tokens}
        check = _timed_infer(session, prompts[str(task["depth"])]["text"], task["gen_tokens"])
    return {"prompts": prompts, "generation_check": {
        "completion_tokens": check["completion_tokens"], "finish_reason": check["finish_reason"]}}


def measure(task: Mapping[str, Any]) -> Dict[str, Any]:
    """Load time, prompt evaluation, time to first token and generation, each ``repetitions`` times."""
    model, session, load_ms = _open(task, task["threads"])
    prompts: Mapping[str, str] = task["prompts"]
    gen_prompt = prompts[str(task["depth"])]
    reps = task["repetitions"]
    with model, session:
        # Warm-up, as llama-bench does: one run of each shape before measuring.
        for text in prompts.values():
            _timed_infer(session, text, 1)
        _timed_infer(session, gen_prompt, 2)

        prompt_runs: Dict[str, Dict[str, List[float]]] = {}
        for length, text in prompts.items():
            runs = [_timed_infer(session, text, 1) for _ in range(reps)]
            prompt_runs[length] = {
                "tokens": [run["prompt_tokens"] for run in runs],
                # prompt_ms is optional in a Completion; without it the whole call bounds it.
                "eval_ms": [float(run.get("prompt_ms", run["wall_ms"])) for run in runs],
                "ttft_ms": [run["wall_ms"] for run in runs],
                "reused_tokens": [run.get("reused_tokens", 0) for run in runs],
            }

        generation: Dict[str, List[Any]] = {key: [] for key in (
            "first_ms", "call_ms", "tokens", "finish_reason", "loop_ms", "decode_ms")}
        for _ in range(reps):
            first = _timed_infer(session, gen_prompt, 1)
            full = _timed_infer(session, gen_prompt, task["gen_tokens"])
            generation["first_ms"].append(first["wall_ms"])
            generation["call_ms"].append(full["wall_ms"])
            generation["tokens"].append(full["completion_tokens"])
            generation["finish_reason"].append(full["finish_reason"])
            if "generation_ms" in full and "decode_ms" in full:
                generation["loop_ms"].append(float(full["generation_ms"]))
                generation["decode_ms"].append(float(full["decode_ms"]))
    return {"load_ms": load_ms, "prompt": prompt_runs, "generation": generation,
            "version": genex_llm.__version__}


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("/proc/self/status has no VmRSS line")


def kv_cache_mb(metadata: Mapping[str, str], context: int) -> Optional[float]:
    """The f16 KV cache of one full-attention session, from the GGUF hyper-parameters."""
    arch = metadata.get("general.architecture", "")
    try:
        layers = int(metadata[f"{arch}.block_count"])
        embedding = int(metadata[f"{arch}.embedding_length"])
        heads = int(metadata[f"{arch}.attention.head_count"])
        kv_heads = int(metadata.get(f"{arch}.attention.head_count_kv", heads))
        key = int(metadata.get(f"{arch}.attention.key_length", embedding // heads))
        value = int(metadata.get(f"{arch}.attention.value_length", embedding // heads))
    except (KeyError, ValueError, ZeroDivisionError):
        return None
    return context * layers * kv_heads * (key + value) * 2 / 2**20


def _parallel(sessions: List[genex_llm.Session], prompt: str, max_tokens: int) -> Dict[str, float]:
    """Run one completion per session, each on its own Python thread, started together."""
    start = threading.Barrier(len(sessions) + 1)
    tokens = [0] * len(sessions)

    def work(index: int) -> None:
        sessions[index].reset()
        start.wait()
        tokens[index] = sessions[index].infer(prompt, max_tokens=max_tokens, temperature=0)["completion_tokens"]

    workers = [threading.Thread(target=work, args=(index,)) for index in range(len(sessions))]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    wall_s = time.perf_counter() - started
    return {"tokens": float(sum(tokens)), "wall_s": wall_s, "tokens_per_s": sum(tokens) / wall_s}


# Two different questions about one long passage: the second call shares the
# passage with the first and differs from its first word on (about 14 tokens).
REUSE_SUFFIXES = (" Summary question: in one short sentence, what is the passage above about?",
                  " Counting question: which word appears most often in the whole passage above?")


def prefix_reuse(session: genex_llm.Session, prefix: str, repetitions: int) -> Dict[str, List[float]]:
    """The prompt phase of a cold call against a call that shares the previous call's prefix."""
    runs: Dict[str, List[float]] = {key: [] for key in ("cold_ms", "warm_ms", "reused_tokens", "suffix_tokens")}
    for _ in range(repetitions):
        session.reset()
        cold = session.infer(prefix + REUSE_SUFFIXES[0], max_tokens=1)
        warm = session.infer(prefix + REUSE_SUFFIXES[1], max_tokens=1)
        runs["cold_ms"].append(float(cold["prompt_ms"]))
        runs["warm_ms"].append(float(warm["prompt_ms"]))
        runs["reused_tokens"].append(float(warm["reused_tokens"]))
        runs["suffix_tokens"].append(float(warm["prompt_tokens"] - warm["reused_tokens"]))
    return runs


def scale(task: Mapping[str, Any]) -> Dict[str, Any]:
    """Resident memory with 1, 2 and 4 sessions of one model, two sessions in parallel vs one, prefix reuse."""
    context = task["context"]
    prompt = task["prompts"][str(task["depth"])]
    model = genex_llm.load_model(task["model"], context=context, threads=1, disable_mmap=task["disable_mmap"])
    sessions: List[genex_llm.Session] = []
    resident: Dict[str, float] = {}
    with model:
        try:
            for count in range(1, 5):
                session = model.new_session(context=context, batch=task["batch"], threads=1, temperature=0)
                sessions.append(session)
                # A completion touches the compute buffers, which stay resident afterwards.
                session.infer(prompt, max_tokens=2, temperature=0)
                if count in (1, 2, 4):
                    resident[str(count)] = _resident_mb()
            pair = sessions[:2]
            _parallel(pair, prompt, 2)
            one = [_parallel(pair[:1], prompt, task["gen_tokens"]) for _ in range(task["repetitions"])]
            two = [_parallel(pair, prompt, task["gen_tokens"]) for _ in range(task["repetitions"])]
            longest = max(task["prompts"], key=int)
            reuse = prefix_reuse(sessions[0], task["prompts"][longest], task["repetitions"])
        finally:
            for session in sessions:
                session.close()
        kv_mb = kv_cache_mb(model.metadata, context)
    return {"resident_mb": resident, "kv_cache_mb": kv_mb, "one_session": one, "two_sessions": two,
            "prefix_reuse": reuse}


MODES: Dict[str, Callable[[Mapping[str, Any]], Dict[str, Any]]] = {
    "calibrate": calibrate, "measure": measure, "scale": scale}


def main() -> None:
    task = json.load(sys.stdin)
    json.dump(MODES[task["mode"]](task), sys.stdout)


if __name__ == "__main__":
    main()
