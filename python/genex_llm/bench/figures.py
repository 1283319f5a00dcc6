"""From the raw values a worker reports to the figures compared, one round at a time.

A figure of a round is the median over that round's repetitions (for
llama-bench too: of its ``samples_ts``, not its mean ``avg_ts``), since a
noisy neighbour spoils single repetitions; a run's figure is the median over
its rounds.
"""

from __future__ import annotations

import statistics
from typing import Any, Dict, Iterable, List, Mapping, Sequence


def decodes(completion_tokens: int, finish_reason: str) -> int:
    """``llama_decode`` calls of a token loop that produced ``completion_tokens`` tokens.

    The first token is sampled from the prompt's logits. genex_llm and
    llama-cpp-python both stop at ``max_tokens`` before decoding the last
    token, and decode every kept token when they stop at end-of-generation.
    So the decodes a completion adds after its first token are one fewer
    than its tokens, or as many when it stopped.
    """
    return completion_tokens if finish_reason == "stop" else max(completion_tokens - 1, 0)


def _median(values: Iterable[float]) -> float:
    return statistics.median(values)


def binding_figures(raw: Mapping[str, Any]) -> Dict[str, float]:
    """Figures of a Python binding (genex_llm or llama-cpp-python) from its worker's raw values."""
    figures: Dict[str, float] = {"load_ms": float(raw["load_ms"]), "peak_rss_mb": float(raw["peak_rss_mb"])}
    for length, runs in raw["prompt"].items():
        figures[f"pp{length}_ts"] = _median(
            tokens * 1000.0 / ms for tokens, ms in zip(runs["tokens"], runs["eval_ms"]))
        figures[f"ttft{length}_ms"] = _median(runs["ttft_ms"])
    gen = raw["generation"]
    steps = [decodes(tokens, finish) for tokens, finish in zip(gen["tokens"], gen["finish_reason"])]
    figures["gen_tokens"] = _median(gen["tokens"])
    # The whole-call rate: what a completion of n tokens costs beyond a
    # completion of one token, per extra token. Both bindings are timed so.
    whole = [n * 1000.0 / (call - first)
             for n, call, first in zip(steps, gen["call_ms"], gen["first_ms"]) if call > first and n > 0]
    if whole:
        figures["tg_call_ts"] = _median(whole)
    loop_ms: Sequence[float] = gen.get("loop_ms", [])
    decode_ms: Sequence[float] = gen.get("decode_ms", [])
    if loop_ms and decode_ms:
        figures["tg_ts"] = _median(n * 1000.0 / loop for n, loop in zip(steps, loop_ms))
        figures["overhead_pct"] = _median(100.0 * (loop - inside) / loop for loop, inside in zip(loop_ms, decode_ms))
    return figures


def llama_bench_figures(raw: Mapping[str, Any]) -> Dict[str, float]:
    figures: Dict[str, float] = {"peak_rss_mb": float(raw["peak_rss_mb"])}
    for length, test in raw["prompt"].items():
        figures[f"pp{length}_ts"] = _median(test["samples_ts"])
    figures["tg_ts"] = _median(raw["generation"]["samples_ts"])
    figures["gen_tokens"] = float(raw["generation"]["tokens"])
    return figures


def scale_figures(raw: Mapping[str, Any]) -> Dict[str, float]:
    """Two sessions in parallel against one, resident memory per added session, prefix reuse."""
    one = _median(run["tokens_per_s"] for run in raw["one_session"])
    two = _median(run["tokens_per_s"] for run in raw["two_sessions"])
    resident: Mapping[str, float] = raw["resident_mb"]
    figures = {
        "one_session_ts": one,
        "two_sessions_ts": two,
        "two_vs_one": two / one,
        "rss_1_mb": resident["1"],
        "rss_2_mb": resident["2"],
        "rss_4_mb": resident["4"],
        "per_session_mb": (resident["4"] - resident["1"]) / 3.0,
    }
    if raw.get("kv_cache_mb") is not None:
        figures["kv_cache_mb"] = float(raw["kv_cache_mb"])
    reuse: Mapping[str, List[float]] = raw["prefix_reuse"]
    figures.update({
        "reuse_cold_ms": _median(reuse["cold_ms"]),
        "reuse_warm_ms": _median(reuse["warm_ms"]),
        "reuse_prefix_tokens": _median(reuse["reused_tokens"]),
        "reuse_suffix_tokens": _median(reuse["suffix_tokens"]),
    })
    figures["reuse_factor"] = figures["reuse_cold_ms"] / figures["reuse_warm_ms"]
    return figures


def medians(rounds: Sequence[Mapping[str, float]]) -> Dict[str, float]:
    """The median of each figure over the rounds that have it."""
    keys: List[str] = []
    for figures in rounds:
        keys.extend(key for key in figures if key not in keys)
    return {key: statistics.median(figures[key] for figures in rounds if key in figures) for key in keys}
