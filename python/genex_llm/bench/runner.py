"""Orchestrates a benchmark run: fit the prompts, then rounds that alternate the systems.

Each measurement runs in a fresh child process, so load time and peak
resident memory are those of one system alone. Within a round every system
runs once per thread count, in an order rotated from round to round, so a
slow phase of a noisy machine does not always hit the same system.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from .._native import MAX_MICRO_BATCH
from . import figures, llama_bench
from .config import (
    SYSTEM_LLAMA_BENCH,
    SYSTEM_LLAMA_CPP_PYTHON,
    SYSTEM_OURS,
    BenchConfig,
)
from .process import ChildError, run_json

Progress = Callable[[str], None]

OURS_WORKER = [sys.executable, "-m", "genex_llm.bench.ours"]
LCP_WORKER_SCRIPT = Path(__file__).with_name("lcp_worker.py")


def _child_env() -> Dict[str, str]:
    # The benchmark measures the native engine even when the caller's shell selects the mock.
    return {key: value for key, value in os.environ.items() if key != "GENEX_LLM_BACKEND"}


def _task(config: BenchConfig, threads: int, **extra: Any) -> Dict[str, Any]:
    shapes = config.shapes
    # Every system gets the micro-batch genex_llm's sessions use for this batch.
    micro_batch = min(shapes.batch, MAX_MICRO_BATCH)
    return {"model": config.model, "threads": threads, "batch": shapes.batch, "micro_batch": micro_batch,
            "context": shapes.context, "disable_mmap": config.disable_mmap,
            "depth": shapes.depth, "gen_tokens": shapes.gen_tokens, "repetitions": shapes.repetitions,
            "prompt_lengths": list(shapes.prompt_lengths), **extra}


def calibrate(config: BenchConfig) -> Dict[str, Any]:
    """Prompts of exactly each prompt length (and the generation depth) in tokens."""
    lengths = sorted({*config.shapes.prompt_lengths, config.shapes.depth})
    task = _task(config, max(config.threads), mode="calibrate", lengths=lengths)
    return run_json(OURS_WORKER, task, _child_env())


def _measure(system: str, config: BenchConfig, threads: int, prompts: Mapping[str, str]) -> Dict[str, Any]:
    task = _task(config, threads, prompts=dict(prompts))
    if system == SYSTEM_OURS:
        return run_json(OURS_WORKER, {**task, "mode": "measure"}, _child_env())
    if system == SYSTEM_LLAMA_CPP_PYTHON:
        assert config.llama_cpp_python is not None
        return run_json([config.llama_cpp_python, "-I", str(LCP_WORKER_SCRIPT)], task)
    assert config.llama_bench is not None
    return llama_bench.measure(config.llama_bench, task)


def _figures(system: str, raw: Mapping[str, Any]) -> Dict[str, float]:
    if system == SYSTEM_LLAMA_BENCH:
        return figures.llama_bench_figures(raw)
    return figures.binding_figures(raw)


def machine() -> Dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def run_benchmark(config: BenchConfig, progress: Progress,
                  after_round: Callable[[Dict[str, Any]], None] = lambda summary: None) -> Dict[str, Any]:
    """All rounds of ``config``: raw values, per-round figures and medians (no ratios yet).

    ``after_round`` gets the summary of the rounds so far after each one, so
    a long run interrupted late still leaves its results.
    """
    started = time.perf_counter()
    progress(f"fitting prompts of {', '.join(map(str, config.shapes.prompt_lengths))} tokens")
    calibration = calibrate(config)
    prompts = {length: fitted["text"] for length, fitted in calibration["prompts"].items()}
    measured = {length: prompts[length] for length in map(str, config.shapes.prompt_lengths)}
    measured.setdefault(str(config.shapes.depth), prompts[str(config.shapes.depth)])

    raw: Dict[str, Dict[str, List[Dict[str, Any]]]] = {
        str(threads): {system: [] for system in config.systems} for threads in config.threads}
    scale_raw: List[Dict[str, Any]] = []

    def summary(rounds_done: int) -> Dict[str, Any]:
        return {"config": config.to_json(), "rounds_done": rounds_done, "machine": machine(),
                "model_size_mb": os.path.getsize(config.model) / 2**20,
                "prompts": calibration["prompts"], "generation_check": calibration["generation_check"],
                **summarise(raw, scale_raw), "elapsed_s": time.perf_counter() - started}

    for round_index in range(config.rounds):
        for threads in config.threads:
            shift = round_index % len(config.systems)
            order = config.systems[shift:] + config.systems[:shift]
            for system in order:
                progress(f"round {round_index + 1}/{config.rounds}, {threads} thread(s): {system}")
                try:
                    result = _measure(system, config, threads, measured)
                except (ChildError, OSError) as error:
                    result = {"error": str(error)}
                    progress(f"  {system} failed: {error}")
                raw[str(threads)][system].append(result)
        if config.scale:
            progress(f"round {round_index + 1}/{config.rounds}: {SYSTEM_OURS} sessions in parallel")
            task = _task(config, 1, mode="scale", prompts=measured)
            try:
                scale_raw.append(run_json(OURS_WORKER, task, _child_env()))
            except ChildError as error:
                scale_raw.append({"error": str(error)})
                progress(f"  scale run failed: {error}")
        if round_index + 1 < config.rounds:
            after_round(summary(round_index + 1))
    return summary(config.rounds)


def summarise(raw: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
              scale_raw: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """Per-round figures and their medians; failed rounds are kept in ``raw`` only."""
    per_round: Dict[str, Dict[str, List[Dict[str, float]]]] = {
        threads: {system: [_figures(system, result) for result in results if "error" not in result]
                  for system, results in by_system.items()}
        for threads, by_system in raw.items()}
    scale_rounds = [figures.scale_figures(result) for result in scale_raw if "error" not in result]
    return {
        "versions": _versions(raw),
        "raw": raw,
        "rounds": per_round,
        "medians": {threads: {system: figures.medians(rounds) for system, rounds in by_system.items() if rounds}
                    for threads, by_system in per_round.items()},
        "scale": {"raw": scale_raw, "rounds": scale_rounds,
                  "medians": figures.medians(scale_rounds) if scale_rounds else {}},
    }


def _versions(raw: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]]) -> Dict[str, Optional[str]]:
    versions: Dict[str, Optional[str]] = {}
    for by_system in raw.values():
        for system, results in by_system.items():
            found = [str(result["version"]) for result in results if "version" in result]
            versions[system] = found[0] if found else versions.get(system)
    return versions
