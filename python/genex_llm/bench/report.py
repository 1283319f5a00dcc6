"""Ratios of genex_llm's figures to the other systems', the issue's targets, and the printed table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .config import SYSTEM_LLAMA_BENCH, SYSTEM_LLAMA_CPP_PYTHON, SYSTEM_OURS


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    higher_is_better: bool
    compare: bool = True
    """Whether a ratio to the other systems means anything."""


def figure_rows(prompt_lengths: Sequence[int], gen_tokens: int, depth: int) -> List[Figure]:
    rows = [Figure(f"pp{n}_ts", f"prompt eval, {n} tokens (tok/s)", True) for n in prompt_lengths]
    rows += [
        Figure("tg_ts", f"generation, {gen_tokens} after {depth} (tok/s)", True),
        Figure("tg_call_ts", "generation, whole calls (tok/s)", True),
    ]
    rows += [Figure(f"ttft{n}_ms", f"time to first token, {n} tokens (ms)", False) for n in prompt_lengths]
    rows += [
        Figure("load_ms", "load time (ms)", False),
        Figure("peak_rss_mb", "peak resident memory (MB)", False),
        Figure("overhead_pct", "per-token work outside llama.cpp (%)", False, compare=False),
        Figure("gen_tokens", "tokens generated", True, compare=False),
    ]
    return rows


def ratios(medians: Mapping[str, Mapping[str, float]], rows: Sequence[Figure]) -> Dict[str, Dict[str, float]]:
    """genex_llm's figure divided by each other system's, for every figure both have."""
    ours = medians.get(SYSTEM_OURS, {})
    result: Dict[str, Dict[str, float]] = {}
    for system, theirs in medians.items():
        if system == SYSTEM_OURS:
            continue
        result[system] = {row.key: ours[row.key] / theirs[row.key] for row in rows
                          if row.compare and row.key in ours and theirs.get(row.key)}
    return result


@dataclass(frozen=True)
class Target:
    name: str
    value: Optional[float]
    threshold: float
    at_least: bool

    @property
    def met(self) -> Optional[bool]:
        if self.value is None:
            return None
        return self.value >= self.threshold if self.at_least else self.value < self.threshold

    def to_json(self) -> Dict[str, Any]:
        return {"name": self.name, "value": self.value, "threshold": self.threshold,
                "at_least": self.at_least, "met": self.met}


def targets(threads: str, medians: Mapping[str, Mapping[str, float]],
            ratio: Mapping[str, Mapping[str, float]], prompt_lengths: Sequence[int]) -> List[Target]:
    """The issue's targets at one thread count; a value is None when a system was not measured."""
    bench = ratio.get(SYSTEM_LLAMA_BENCH, {})
    lcp = ratio.get(SYSTEM_LLAMA_CPP_PYTHON, {})
    at = f"[{threads} thread(s)]"
    found = [Target(f"{at} generation >= 0.97 x llama-bench tg", bench.get("tg_ts"), 0.97, True)]
    found += [Target(f"{at} prompt eval {n} >= 0.95 x llama-bench pp", bench.get(f"pp{n}_ts"), 0.95, True)
              for n in prompt_lengths]
    found += [Target(f"{at} prompt eval {n} ahead of llama-cpp-python", lcp.get(f"pp{n}_ts"), 1.0, True)
              for n in prompt_lengths]
    found.append(Target(f"{at} generation (whole calls) ahead of llama-cpp-python", lcp.get("tg_call_ts"), 1.0, True))
    found += [Target(f"{at} time to first token {n} ahead of llama-cpp-python (ratio < 1)",
                     lcp.get(f"ttft{n}_ms"), 1.0, False) for n in prompt_lengths]
    found.append(Target(f"{at} per-token work outside llama.cpp < 2 %",
                        medians.get(SYSTEM_OURS, {}).get("overhead_pct"), 2.0, False))
    return found


def scale_targets(scale: Mapping[str, float], model_size_mb: float) -> List[Target]:
    # Copied weights would add a whole model per session on top of its KV
    # cache; shared ones leave only the cache and small compute buffers.
    beyond_kv = (scale["per_session_mb"] - scale["kv_cache_mb"]) / model_size_mb \
        if "per_session_mb" in scale and "kv_cache_mb" in scale else None
    return [
        Target("two sessions x 1 thread >= 1.6 x one session", scale.get("two_vs_one"), 1.6, True),
        Target("RSS per added session beyond its KV cache, in weights' sizes, < 0.5 (weights shared)",
               beyond_kv, 0.5, False),
        Target("prefix reuse: prompt phase of a call sharing the previous prefix >= 5 x faster than cold",
               scale.get("reuse_factor"), 5.0, True),
    ]


def analyse(result: Dict[str, Any]) -> Dict[str, Any]:
    """Add ratios and targets to a run's result, in place, and return it."""
    shapes = result["config"]["shapes"]
    rows = figure_rows(shapes["prompt_lengths"], shapes["gen_tokens"], shapes["depth"])
    result["ratios"] = {threads: ratios(medians, rows) for threads, medians in result["medians"].items()}
    found: List[Target] = []
    for threads, medians in result["medians"].items():
        found += targets(threads, medians, result["ratios"][threads], shapes["prompt_lengths"])
    found += scale_targets(result["scale"]["medians"], result["model_size_mb"])
    result["targets"] = [target.to_json() for target in found]
    return result


def _number(value: Optional[float]) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _ratio(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _grid(header: Sequence[str], lines: Sequence[Sequence[str]]) -> List[str]:
    widths = [max(len(line[column]) for line in [header, *lines]) for column in range(len(header))]

    def render(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:])]
        return "| " + " | ".join([first, *rest]) + " |"

    # Numbers align right; Markdown says so with a colon under the column.
    separator = "|" + "|".join([f" {'-' * widths[0]} ", *[f" {'-' * (width - 1)}: " for width in widths[1:]]]) + "|"
    return [render(header), separator, *[render(line) for line in lines]]


def table(result: Mapping[str, Any]) -> str:
    """The run as Markdown: one table per thread count, the scale figures, the targets."""
    config = result["config"]
    shapes = config["shapes"]
    rows = figure_rows(shapes["prompt_lengths"], shapes["gen_tokens"], shapes["depth"])
    systems: Sequence[str] = config["systems"]
    others = [system for system in systems if system != SYSTEM_OURS]
    out: List[str] = [
        f"model {config['model']} ({result['model_size_mb']:.0f} MB), batch {shapes['batch']}, "
        f"context {shapes['context']}, weights {'read into memory' if config.get('disable_mmap') else 'mapped'}, "
        f"{config['rounds']} round(s) x {shapes['repetitions']} repetition(s), "
        f"medians; CPU: {result['machine']['cpu']} ({result['machine']['cpus']} cores)",
    ]
    for threads, medians in result["medians"].items():
        ratio = result["ratios"][threads]
        header = ["figure", *systems, *[f"genex_llm / {other}" for other in others]]
        lines = []
        for row in rows:
            values = [medians.get(system, {}).get(row.key) for system in systems]
            if all(value is None for value in values):
                continue
            lines.append([row.label, *map(_number, values),
                          *[_ratio(ratio.get(other, {}).get(row.key)) for other in others]])
        out += ["", f"### {threads} thread(s)", "", *_grid(header, lines)]
    scale = result["scale"]["medians"]
    if scale:
        kv = scale.get("kv_cache_mb")
        out += ["", "### Sessions of one model (genex_llm, 1 thread each)", "", *_grid(
            ["figure", "value"],
            [["one session (tok/s)", _number(scale["one_session_ts"])],
             ["two sessions on two Python threads, together (tok/s)", _number(scale["two_sessions_ts"])],
             ["two sessions / one", _ratio(scale["two_vs_one"])],
             ["resident memory, 1 / 2 / 4 sessions (MB)",
              f"{_number(scale['rss_1_mb'])} / {_number(scale['rss_2_mb'])} / {_number(scale['rss_4_mb'])}"],
             ["growth per added session (MB)", _number(scale["per_session_mb"])],
             ["KV cache of one session, f16, in theory (MB)", _number(kv)],
             [f"prefix reuse: cold prompt phase, {_number(scale['reuse_prefix_tokens'])} + "
              f"{_number(scale['reuse_suffix_tokens'])} tokens (ms)", _number(scale["reuse_cold_ms"])],
             ["prefix reuse: the same prefix again, new suffix (ms)", _number(scale["reuse_warm_ms"])],
             ["prefix reuse: cold / warm", _ratio(scale["reuse_factor"])]])]
    out += ["", "### Targets", ""]
    for target in result["targets"]:
        met = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        out.append(f"- {target['name']}: {_number(target['value'])} ({met})")
    unavailable = result.get("unavailable", {})
    if unavailable:
        out += ["", *[f"{system}: not available ({reason})" for system, reason in unavailable.items()]]
    return "\n".join(out)
