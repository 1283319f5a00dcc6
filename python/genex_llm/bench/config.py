"""What one benchmark run measures: model, threads, shapes and budget."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

SYSTEM_OURS = "genex_llm"
SYSTEM_LLAMA_BENCH = "llama-bench"
SYSTEM_LLAMA_CPP_PYTHON = "llama-cpp-python"
ALL_SYSTEMS: Tuple[str, ...] = (SYSTEM_OURS, SYSTEM_LLAMA_BENCH, SYSTEM_LLAMA_CPP_PYTHON)


def source_root() -> Optional[Path]:
    """The source checkout this package runs from (editable install), if any."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "tools" / "llama_cpp" / "CMakeLists.txt").is_file() else None


@dataclass(frozen=True)
class Shapes:
    """The work measured: the same for every system."""

    prompt_lengths: Tuple[int, ...] = (128, 512)
    gen_tokens: int = 128
    depth: int = 128
    """Prompt tokens before generation starts (llama-bench's ``-d``)."""
    batch: int = 512
    context: int = 2048
    repetitions: int = 3
    """Measured repetitions of each figure inside one process, after a warm-up."""


QUICK_SHAPES = Shapes(prompt_lengths=(16, 32), gen_tokens=8, depth=16, batch=512, context=256, repetitions=1)


@dataclass(frozen=True)
class BenchConfig:
    model: str
    threads: Tuple[int, ...]
    rounds: int = 3
    shapes: Shapes = field(default_factory=Shapes)
    systems: Tuple[str, ...] = ALL_SYSTEMS
    scale: bool = True
    disable_mmap: bool = False
    """Every system reads the weights into memory instead of mapping the file."""
    llama_bench: Optional[str] = None
    """Path of the llama-bench executable; None when it is not built."""
    llama_cpp_python: Optional[str] = None
    """Interpreter that can import llama_cpp; None when there is none."""

    def to_json(self) -> Dict[str, Any]:
        return asdict(self)


def default_threads() -> int:
    return os.cpu_count() or 1


def check_shapes(shapes: Shapes) -> None:
    """Refuse shapes that cannot fit the context, before any child is started."""
    if not shapes.prompt_lengths or min(shapes.prompt_lengths) < 2:
        raise ValueError("prompt lengths must be at least 2 tokens")
    if shapes.gen_tokens < 2:
        raise ValueError("generation needs at least 2 tokens: the first one comes from the prompt")
    if shapes.depth < 1:
        raise ValueError("the generation depth must be at least 1 prompt token")
    needed = max(max(shapes.prompt_lengths) + 1, shapes.depth + shapes.gen_tokens)
    if needed > shapes.context:
        raise ValueError(f"context {shapes.context} is too small: the shapes need {needed} tokens")
    if shapes.batch < 1 or shapes.repetitions < 1:
        raise ValueError("batch and repetitions must be at least 1")
