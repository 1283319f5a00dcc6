"""llama.cpp's own ``llama-bench``: built from tools/llama_cpp with the extension's options, and run.

It is the ceiling for this engine on this CPU: it times bare ``llama_decode``
loops over random tokens, with no tokenizer, sampler or binding around them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, TextIO, Tuple

from .process import ChildError, run

TARGET = "llama-bench"

# The llama.cpp options of the extension's CMakeLists.txt (and pyproject.toml's
# GGML_NATIVE), except that the tools are on, since llama-bench is one. The
# rest (OpenMP, llamafile, repack) are llama.cpp's defaults in both builds.
# The compiler flags are the ones CMakeLists.txt adds for GCC
# (tests/test_bench.py checks that they agree).
COMPILE_FLAGS = "-fno-semantic-interposition -funroll-loops"
CMAKE_OPTIONS: Dict[str, str] = {
    "CMAKE_BUILD_TYPE": "Release",
    "GGML_NATIVE": "ON",
    "BUILD_SHARED_LIBS": "OFF",
    "LLAMA_BUILD_TOOLS": "ON",
    "LLAMA_BUILD_COMMON": "ON",
    "LLAMA_BUILD_TESTS": "OFF",
    "LLAMA_BUILD_EXAMPLES": "OFF",
    "LLAMA_BUILD_SERVER": "OFF",
    "LLAMA_BUILD_APP": "OFF",
    "LLAMA_CURL": "OFF",
    "LLAMA_OPENSSL": "OFF",
    "GGML_BACKEND_DL": "OFF",
    "GGML_CCACHE": "OFF",
    "GGML_CUDA": "OFF",
    "GGML_METAL": "OFF",
    "GGML_VULKAN": "OFF",
    "GGML_HIP": "OFF",
    "GGML_SYCL": "OFF",
    "GGML_OPENCL": "OFF",
    "CMAKE_C_FLAGS": COMPILE_FLAGS,
    "CMAKE_CXX_FLAGS": COMPILE_FLAGS,
}


def executable(build_dir: Path) -> Path:
    return build_dir / "bin" / TARGET


def options_that_differ(build_dir: Path) -> List[str]:
    """The CMAKE_OPTIONS that ``build_dir`` was configured with other values for, as ``KEY=VALUE``.

    A llama-bench built before an option changed is no longer the extension's
    twin, and its figures would not be the ceiling they claim to be.
    """
    cached: Dict[str, str] = {}
    cache = build_dir / "CMakeCache.txt"
    if cache.is_file():
        for line in cache.read_text(encoding="utf-8", errors="replace").splitlines():
            name_and_type, equals, value = line.partition("=")
            if equals and not line.startswith(("#", "//")):
                cached[name_and_type.split(":", 1)[0]] = value
    return [f"{key}={cached.get(key, '(unset)')}" for key, value in CMAKE_OPTIONS.items()
            if cached.get(key) != value]


def _tool(name: str) -> str:
    # The project's virtual environment ships cmake and ninja even when PATH lacks them.
    beside = Path(sys.executable).parent / name
    found = shutil.which(name) or (str(beside) if beside.exists() else None)
    if found is None:
        raise FileNotFoundError(f"{name} is needed to build {TARGET}; install it (pip install {name})")
    return found


def build(source_dir: Path, build_dir: Path, log: TextIO) -> Path:
    """Configure and build only the llama-bench target; incremental after the first time.

    Configuring every time (seconds) carries changed options into an existing
    build directory, which then rebuilds what they touch.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w", encoding="ascii") as lock:
        # Two benchmark runs building at once would corrupt the tree.
        fcntl.flock(lock, fcntl.LOCK_EX)
        configure = [_tool("cmake"), "-S", str(source_dir), "-B", str(build_dir)]
        if not (build_dir / "CMakeCache.txt").is_file():
            try:
                configure += ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}"]
            except FileNotFoundError:
                pass  # cmake's default generator works too, only slower
        configure += [f"-D{key}={value}" for key, value in CMAKE_OPTIONS.items()]
        subprocess.run(configure, check=True, stdout=log, stderr=subprocess.STDOUT)
        subprocess.run([_tool("cmake"), "--build", str(build_dir), "--target", TARGET,
                        "--parallel", str(os.cpu_count() or 1)], check=True, stdout=log, stderr=subprocess.STDOUT)
    return executable(build_dir)


def _invoke(exe: str, arguments: Sequence[str]) -> Tuple[List[Dict[str, Any]], float]:
    done = run([exe, *arguments, "-o", "json"])
    try:
        tests = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise ChildError(f"{TARGET} printed no JSON ({error}): {done.stdout[-500:]!r}") from error
    return list(tests), done.peak_rss_mb


def measure(exe: str, task: Mapping[str, Any]) -> Dict[str, Any]:
    """Prompt evaluation at depth 0 and generation at ``depth``: two processes, as the tests differ in depth.

    ``samples_ts`` are tokens/s of each repetition, after llama-bench's own
    warm-up run; figures.py takes their median.
    """
    common = ["-m", task["model"], "-b", str(task["batch"]), "-ub", str(task["micro_batch"]),
              "-t", str(task["threads"]), "-r", str(task["repetitions"]),
              "-lm", "none" if task["disable_mmap"] else "mmap"]
    lengths = ",".join(str(length) for length in task["prompt_lengths"])
    prompt_tests, prompt_rss = _invoke(exe, [*common, "-p", lengths, "-n", "0", "-d", "0"])
    gen_tests, gen_rss = _invoke(exe, [*common, "-p", "0", "-n", str(task["gen_tokens"]),
                                       "-d", str(task["depth"])])
    prompt = {str(test["n_prompt"]): {"tokens": test["n_prompt"], "samples_ts": test["samples_ts"]}
              for test in prompt_tests if test["n_prompt"] > 0}
    (gen,) = [test for test in gen_tests if test["n_gen"] > 0]
    return {
        "prompt": prompt,
        "generation": {"tokens": gen["n_gen"], "depth": gen["n_depth"], "samples_ts": gen["samples_ts"]},
        "version": f"{prompt_tests[0].get('build_commit', '?')} ({prompt_tests[0].get('build_number', '?')})",
        "peak_rss_mb": max(prompt_rss, gen_rss),
    }
