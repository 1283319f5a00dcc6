"""The examples run as a user would run them, on the default model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.real
def test_the_python_completion_example_prints_a_real_answer() -> None:
    done = subprocess.run([sys.executable, str(EXAMPLES / "llm_completion.py"), "What is 2+2?"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert lines["prompt"].strip() == "What is 2+2?"
    assert lines["answer"].strip()
    assert lines["finish"].split()[0] in {"stop", "length"}
    assert "SmolLM2" in lines["model"]
    assert done.stderr == ""
