"""``genex-llm bench`` / ``python -m genex_llm.bench``: the command line of the benchmark."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..models import default_model_path
from . import llama_bench, report, runner
from .config import (
    ALL_SYSTEMS,
    QUICK_SHAPES,
    SYSTEM_LLAMA_BENCH,
    SYSTEM_LLAMA_CPP_PYTHON,
    BenchConfig,
    Shapes,
    check_shapes,
    default_threads,
    source_root,
)

DESCRIPTION = (
    "Measure genex_llm against llama.cpp's llama-bench and llama-cpp-python on one model, side by "
    "side: prompt evaluation, generation, time to first token, load time, peak memory, and "
    "sessions in parallel. Each system runs in its own process; rounds alternate the systems and "
    "the figures are medians over rounds."
)


def _int_list(text: str) -> Tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _systems(text: str) -> Tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in ALL_SYSTEMS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"systems are {', '.join(ALL_SYSTEMS)}; got {text!r}")
    return names


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    root = source_root()
    parser.add_argument("--model", help="GGUF file to measure (default: the default SmolLM2-135M)")
    parser.add_argument("--threads", type=_int_list, default=(default_threads(),),
                        help="thread count, or several separated by commas, e.g. 1,2 (default: all CPUs)")
    parser.add_argument("--rounds", type=_positive, default=3, help="rounds; figures are medians over them (3)")
    parser.add_argument("--repetitions", type=_positive,
                        help="measured repetitions per figure inside each process (3; --quick: 1)")
    parser.add_argument("--prompt-lengths", type=_int_list, help="prompt sizes in tokens (128,512)")
    parser.add_argument("--gen-tokens", type=_positive, help="tokens generated (128)")
    parser.add_argument("--depth", type=_positive,
                        help="prompt tokens before generation, llama-bench's -d (128)")
    parser.add_argument("--batch", type=_positive,
                        help="tokens per decode call, -b (512); the micro-batch -ub is this, at most 512")
    parser.add_argument("--context", type=_positive, help="context of the Python bindings' sessions (2048)")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny budget for smoke tests: prompts of 16 and 32 tokens, 8 generated, 1 repetition")
    parser.add_argument("--systems", type=_systems, default=ALL_SYSTEMS,
                        help=f"systems to run, comma-separated (default: {','.join(ALL_SYSTEMS)}, those available)")
    parser.add_argument("--disable-mmap", action="store_true",
                        help="every system reads the weights into memory instead of mapping the file "
                             "(genex_llm then puts them on huge pages)")
    parser.add_argument("--no-scale", dest="scale", action="store_false",
                        help="skip the parallel-sessions and memory-per-session measurement")
    parser.add_argument("--llama-bench", dest="llama_bench_path", metavar="PATH",
                        help="a llama-bench executable to use instead of the one built here")
    parser.add_argument("--build-llama-bench", action="store_true",
                        help="build (or bring up to date) llama-bench from tools/llama_cpp first; "
                             "takes minutes the first time")
    parser.add_argument("--build-dir", type=Path,
                        default=root / "build" / "llama-bench" if root else None,
                        help="where llama-bench is built (default: build/llama-bench of the checkout)")
    parser.add_argument("--llama-cpp-python-python", metavar="PYTHON",
                        help="interpreter that can import llama_cpp (default: this one, else "
                             "build/bench-venv/bin/python of the checkout, when they can)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every raw value, median, ratio and target")
    parser.set_defaults(command_line=None)


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``bench`` command to the ``genex-llm`` dispatcher (its handler is :func:`run`)."""
    parser = subparsers.add_parser("bench", help="compare genex_llm with llama-bench and llama-cpp-python",
                                   description=DESCRIPTION)
    add_arguments(parser)
    parser.set_defaults(handler=run)


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _shapes(args: argparse.Namespace) -> Shapes:
    base = QUICK_SHAPES if args.quick else Shapes()
    given: Dict[str, Any] = {
        "repetitions": args.repetitions, "prompt_lengths": args.prompt_lengths, "gen_tokens": args.gen_tokens,
        "depth": args.depth, "batch": args.batch, "context": args.context}
    fields = {key: value for key, value in given.items() if value is not None}
    if args.prompt_lengths is not None and args.depth is None:
        fields["depth"] = args.prompt_lengths[0]
    return Shapes(**{**base.__dict__, **fields})


def find_llama_cpp_python(explicit: Optional[str]) -> Tuple[Optional[str], str]:
    """An interpreter that imports llama_cpp, probed in a child so this process stays clean."""
    root = source_root()
    candidates = [explicit] if explicit else [sys.executable]
    if not explicit and root is not None:
        candidates.append(str(root / "build" / "bench-venv" / "bin" / "python"))
    for candidate in candidates:
        if candidate is None or not os.path.exists(candidate):
            continue
        probe = subprocess.run([candidate, "-I", "-c", "import llama_cpp"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate, ""
    return None, ("llama_cpp cannot be imported by " + " or ".join(c for c in candidates if c)
                  + "; install llama-cpp-python into a separate environment and pass --llama-cpp-python-python")


def find_llama_bench(args: argparse.Namespace) -> Tuple[Optional[str], str]:
    if args.llama_bench_path:
        return args.llama_bench_path, ""
    build_dir: Optional[Path] = args.build_dir
    root = source_root()
    if build_dir is None or root is None:
        return None, "no source checkout to build it from; pass --llama-bench PATH"
    if args.build_llama_bench:
        _progress(f"building llama-bench in {build_dir} (log: {build_dir}.log)")
        with open(f"{build_dir}.log", "w", encoding="utf-8") as log:
            try:
                return str(llama_bench.build(root / "tools" / "llama_cpp", build_dir, log)), ""
            except (subprocess.CalledProcessError, FileNotFoundError) as error:
                return None, f"building it failed ({error}); see {build_dir}.log"
    exe = llama_bench.executable(build_dir)
    if not exe.is_file():
        return None, f"not built at {exe}; run with --build-llama-bench"
    stale = llama_bench.options_that_differ(build_dir)
    if stale:
        return None, (f"built at {exe} with other options than the extension's ({', '.join(stale)}); "
                      "run with --build-llama-bench to rebuild it")
    return str(exe), ""


def run(args: argparse.Namespace) -> int:
    shapes = _shapes(args)
    try:
        check_shapes(shapes)
    except ValueError as error:
        print(f"genex-llm bench: {error}", file=sys.stderr)
        return 2
    if args.model is None:
        args.model = default_model_path()
    if not os.path.isfile(args.model):
        print(f"genex-llm bench: model file not found: {args.model}", file=sys.stderr)
        return 2

    unavailable: Dict[str, str] = {}
    bench_path: Optional[str] = None
    lcp_python: Optional[str] = None
    systems: List[str] = []
    for system in args.systems:
        if system == SYSTEM_LLAMA_BENCH:
            bench_path, reason = find_llama_bench(args)
        elif system == SYSTEM_LLAMA_CPP_PYTHON:
            lcp_python, reason = find_llama_cpp_python(args.llama_cpp_python_python)
        else:
            reason = ""
        if reason:
            unavailable[system] = reason
            _progress(f"{system}: not available ({reason})")
        else:
            systems.append(system)
    if not systems:
        print("genex-llm bench: none of the chosen systems is available", file=sys.stderr)
        return 1

    config = BenchConfig(model=os.path.abspath(args.model), threads=args.threads, rounds=args.rounds,
                         shapes=shapes, systems=tuple(systems), scale=args.scale, disable_mmap=args.disable_mmap,
                         llama_bench=bench_path, llama_cpp_python=lcp_python)
    # The model is read once so every system's load time starts from a warm page cache.
    with open(config.model, "rb") as model_file:
        while model_file.read(1 << 24):
            pass
    command_line = args.command_line if args.command_line is not None else _dispatched_command_line()

    def complete(summary: Dict[str, Any]) -> Dict[str, Any]:
        summary["unavailable"] = unavailable
        summary["command"] = " ".join(["genex-llm", "bench", *command_line])
        return report.analyse(summary)

    def save(result: Dict[str, Any]) -> None:
        if args.json is not None:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")

    result = complete(runner.run_benchmark(config, _progress, after_round=lambda summary: save(complete(summary))))
    save(result)
    print(report.table(result))
    if args.json is not None:
        _progress(f"wrote {args.json}")
    return 0


def _dispatched_command_line() -> List[str]:
    # Under the genex-llm dispatcher: argv without the program name and the command word.
    argv = sys.argv[1:]
    return argv[1:] if argv[:1] == ["bench"] else argv


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genex_llm.bench", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    args.command_line = list(sys.argv[1:] if argv is None else argv)
    return run(args)
