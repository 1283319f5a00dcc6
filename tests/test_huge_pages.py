"""Weights read into memory sit on transparent huge pages, and are given back.

cpp/core/huge_pages.cpp wraps ggml's allocator so that, while a model loads,
every buffer of 2 MiB or more is mapped on a huge-page boundary and advised
MADV_HUGEPAGE; buffers allocated later (KV caches, compute buffers) are left
to ggml. These tests read the kernel's own account of the process
(AnonHugePages in /proc/self/smaps_rollup): the weights must show up there,
must leave it when the model is closed, must not when GENEX_LLM_HUGE_PAGES=0;
a session must not add any; and the text generated must not depend on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

import genex_llm

from conftest import chat

THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _thp_mode() -> Optional[str]:
    """The bracketed choice in the sysfs file ('always', 'madvise' or 'never'), None without THP."""
    try:
        text = THP_SETTING.read_text(encoding="ascii")
    except OSError:
        return None
    return text[text.index("[") + 1:text.index("]")] if "[" in text else None


pytestmark = [
    pytest.mark.real,
    pytest.mark.skipif(sys.platform != "linux" or _thp_mode() in (None, "never"),
                       reason="transparent huge pages are Linux-only and switched off here"),
]

# tools/sanitize.sh switches them off so ASan guards every buffer; the child
# processes below set the variable themselves and run either way.
switched_off_here = pytest.mark.skipif(os.environ.get("GENEX_LLM_HUGE_PAGES") == "0",
                                       reason="GENEX_LLM_HUGE_PAGES=0 in this environment")

PROMPT = chat("Name three colours.")

# Run in a child so GENEX_LLM_HUGE_PAGES is read fresh (the module reads it once).
CHILD = """
import json, sys, genex_llm
def huge_mib():
    with open("/proc/self/smaps_rollup") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:")) / 1024
before = huge_mib()
with genex_llm.load_model(sys.argv[1], context=512, threads=1, disable_mmap=True) as model:
    with model.new_session(temperature=0, max_tokens=12) as session:
        text = session.infer(sys.argv[2])["text"]
        grown = huge_mib() - before
print(json.dumps({"grown_mib": grown, "text": text}))
"""


def huge_mib() -> float:
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1]) / 1024.0
    raise AssertionError("/proc/self/smaps_rollup has no AnonHugePages line")


def run_child(model_path: str, env_value: Optional[str]) -> Dict[str, object]:
    env = dict(os.environ)
    env.pop("GENEX_LLM_HUGE_PAGES", None)
    if env_value is not None:
        env["GENEX_LLM_HUGE_PAGES"] = env_value
    done = subprocess.run([sys.executable, "-c", CHILD, model_path, PROMPT], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    result: Dict[str, object] = json.loads(done.stdout)
    return result


@switched_off_here
def test_weights_read_into_memory_sit_on_huge_pages_until_closed(model_path: str) -> None:
    weights_mib = os.path.getsize(model_path) / 2**20
    before = huge_mib()
    model = genex_llm.load_model(model_path, context=256, threads=1, disable_mmap=True)
    try:
        loaded = huge_mib() - before
    finally:
        model.close()
    # Nearly all of it in practice (94 of 94 MiB measured); half leaves room
    # for a kernel short of free huge pages, and still fails if none were asked for.
    assert loaded >= weights_mib / 2, f"{loaded:.0f} MiB of {weights_mib:.0f} MiB weights on huge pages"
    assert huge_mib() - before <= 2.0, "closing the model must unmap its huge pages"


def test_a_session_adds_no_huge_pages(real_model: genex_llm.Model) -> None:
    before = huge_mib()
    with real_model.new_session(context=2048) as session:
        session.infer(PROMPT, max_tokens=2)
        grown = huge_mib() - before
    # Its 45 MiB KV cache and compute buffers stay on 4 KiB pages, resident only where touched.
    assert grown <= 2.0, f"the session added {grown:.0f} MiB of huge pages"


def test_environment_switch_turns_huge_pages_off_and_text_does_not_change(model_path: str) -> None:
    on = run_child(model_path, None)
    off = run_child(model_path, "0")
    assert float(str(on["grown_mib"])) >= 50.0
    assert float(str(off["grown_mib"])) == 0.0
    assert on["text"] == off["text"] != ""
